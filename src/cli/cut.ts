// `schedscope cut <trace> -o out.trace [--generations A..B] [--from T] [--to T] [--json]`: whole
// generations of a trace written as a trace of their own, e.g. the minute around an incident out
// of a trace too large for `go tool trace` to load.
import { InvalidArgumentError, type Command } from 'commander';
import { cutTrace, type CutResult, type CutSelection } from '../export/cut.js';

/** "3" or "3..7" (also "3-7"): generations counted from 1, as `stat` counts them. */
export function parseGenerationRange(text: string): { first: number; last: number } {
  const match = /^\s*(\d+)\s*(?:(?:\.\.|-)\s*(\d+)\s*)?$/.exec(text);
  if (match === null) throw new InvalidArgumentError('give a generation, or a range like 3..7');
  const first = Number(match[1]);
  const last = match[2] === undefined ? first : Number(match[2]);
  if (first < 1 || last < first) throw new InvalidArgumentError('give 1 ≤ first ≤ last');
  return { first, last };
}

const NS_PER_UNIT: Record<string, number> = { ns: 1, us: 1e3, 'µs': 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };

/** A duration such as 1.5s, 250ms, 90us or 2m (a bare number is nanoseconds), in ns. */
export function parseDuration(text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*(ns|us|µs|ms|s|m|h)?\s*$/.exec(text);
  if (match === null) throw new InvalidArgumentError('give a duration such as 1.5s, 250ms, 90us or 2m');
  return Number(match[1]) * NS_PER_UNIT[match[2] ?? 'ns']!;
}

function describe(result: CutResult, output: string): string {
  const seconds = (ns: number) => `${(ns / 1e9).toFixed(3)}s`;
  const which = result.first === result.last ? `generation ${result.first}` : `generations ${result.first}..${result.last}`;
  return `${which} of ${result.inputGenerations}${result.inputError !== undefined ? ' complete' : ''} (${seconds(result.startNs)} to ${seconds(result.endNs)}), ${result.bytes.toLocaleString('en-US')} bytes → ${output}\n`;
}

export function register(program: Command): void {
  program
    .command('cut')
    .description('write whole generations of a trace as a trace of their own (Go\'s reader and go tool trace open it), chosen by position or by time')
    .argument('<trace>', 'trace file')
    .requiredOption('-o, --output <file>', 'where to write the cut trace (- for standard output)')
    .option('--generations <range>', 'generations to keep, counted from 1 (e.g. 3..7)', parseGenerationRange)
    .option('--from <time>', 'keep generations that end after this time since the trace began (e.g. 2s)', parseDuration)
    .option('--to <time>', 'keep generations that begin before this time since the trace began (e.g. 3.5s)', parseDuration)
    .option('--json', 'print what was written as JSON')
    .action(async (path: string, opts: { output: string; generations?: { first: number; last: number }; from?: number; to?: number; json?: boolean }) => {
      if (path === '-') throw new Error('cut needs a file, not standard input: it reads the batch headers before copying');
      const selection: CutSelection = {
        ...(opts.generations !== undefined ? { generations: opts.generations } : {}),
        ...(opts.from !== undefined ? { fromNs: opts.from } : {}),
        ...(opts.to !== undefined ? { toNs: opts.to } : {}),
      };
      const toStdout = opts.output === '-';
      const result = await cutTrace(path, toStdout ? process.stdout : opts.output, selection);
      if (result.inputError !== undefined) {
        const e = result.inputError;
        process.stderr.write(`schedscope: the trace breaks after generation ${result.inputGenerations} (${e.name} at byte ${e.offset}: ${e.reason}); cut from the complete generations before it\n`);
      }
      // With the trace on standard output, what was written goes to stderr.
      const report = opts.json ? `${JSON.stringify(result, null, 2)}\n` : describe(result, toStdout ? 'standard output' : opts.output);
      (toStdout ? process.stderr : process.stdout).write(report);
    });
}
