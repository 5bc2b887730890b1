// The schedscope command: a commander program whose subcommands each live in their own file.
import { Command, CommanderError } from 'commander';
import { readFileSync } from 'node:fs';
import { TraceFormatError } from '../errors.js';
import { loadCommands } from './commands.js';

function packageVersion(): string {
  const url = new URL('../../package.json', import.meta.url);
  return (JSON.parse(readFileSync(url, 'utf8')) as { version: string }).version;
}

/** Runs the CLI with the given arguments (without node and script); resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  const program = new Command('schedscope')
    .description('Stream and analyse Go execution traces of any size in bounded memory.')
    .version(packageVersion())
    .exitOverride()
    .showHelpAfterError();
  for (const register of await loadCommands()) register(program);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    if (error instanceof TraceFormatError) {
      process.stderr.write(`schedscope: ${error.name}: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}
