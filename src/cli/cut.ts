// `schedscope cut <trace> -o out.trace [--generations A..B] [--from T] [--to T] [--json]`: whole
// generations of a trace written as a trace of their own, e.g. the minute around an incident out
// of a trace too large for `go tool trace` to load.
import type { Command } from 'commander';
import { cutTrace, type CutResult } from '../export/cut.js';
import { selectionOf, warnBrokenInput, windowInfo, windowOptions, windowText, type WindowFlags } from './window.js';

function describe(result: CutResult, output: string): string {
  return `${windowText(windowInfo(result), result.inputError !== undefined)}, ${result.bytes.toLocaleString('en-US')} bytes → ${output}\n`;
}

export function register(program: Command): void {
  windowOptions(
    program
      .command('cut')
      .description('write whole generations of a trace as a trace of their own (Go\'s reader and go tool trace open it), chosen by position or by time')
      .argument('<trace>', 'trace file')
      .requiredOption('-o, --output <file>', 'where to write the cut trace (- for standard output)'),
  )
    .option('--json', 'print what was written as JSON')
    .action(async (path: string, opts: WindowFlags & { output: string; json?: boolean }) => {
      if (path === '-') throw new Error('cut needs a file, not standard input: it reads the batch headers before copying');
      const toStdout = opts.output === '-';
      const result = await cutTrace(path, toStdout ? process.stdout : opts.output, selectionOf(opts) ?? {});
      warnBrokenInput(result, 'cut');
      // With the trace on standard output, what was written goes to stderr.
      const report = opts.json ? `${JSON.stringify(result, null, 2)}\n` : describe(result, toStdout ? 'standard output' : opts.output);
      (toStdout ? process.stderr : process.stdout).write(report);
    });
}
