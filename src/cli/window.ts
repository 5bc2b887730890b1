// `--generations`, `--from`, `--to` for the commands that read a trace: only a window of it, cut to
// whole generations on the fly (export/cut.ts) and streamed into the command, so an incident's
// minute of a huge trace is analysed, diagnosed or exported without reading the rest.
import { InvalidArgumentError, type Command } from 'commander';
import { statSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { cutTrace, type CutResult, type CutSelection } from '../export/cut.js';
import type { TraceSource } from '../trace.js';

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

export interface WindowFlags {
  generations?: { first: number; last: number };
  from?: number;
  to?: number;
}

/** Adds the three options to a command. */
export function windowOptions(command: Command): Command {
  return command
    .option('--generations <range>', 'only these whole generations, counted from 1 as stat counts them (e.g. 3..7)', parseGenerationRange)
    .option('--from <time>', 'only the generations that end after this time since the trace began (e.g. 2s)', parseDuration)
    .option('--to <time>', 'only the generations that begin before this time since the trace began (e.g. 3.5s)', parseDuration);
}

/**
 * The size the progress bar counts to: the file's, or none for standard input and for a window
 * (a cut's size is known only once it is under way, and the cut itself is quick).
 */
export function progressTotal(path: string, selection: CutSelection | undefined): number | undefined {
  if (path === '-' || selection !== undefined) return undefined;
  try {
    return statSync(path).size;
  } catch {
    return undefined;
  }
}

/** The selection the flags make, or undefined for the whole trace. */
export function selectionOf(flags: WindowFlags): CutSelection | undefined {
  const selection: CutSelection = {
    ...(flags.generations !== undefined ? { generations: flags.generations } : {}),
    ...(flags.from !== undefined ? { fromNs: flags.from } : {}),
    ...(flags.to !== undefined ? { toNs: flags.to } : {}),
  };
  return Object.keys(selection).length > 0 ? selection : undefined;
}

/**
 * Runs `read` on the trace at `path` ('-': standard input), or on the window `selection` names of
 * it, cut as it is read. If reading fails, the cut's own error (a window that names no generation,
 * a trace broken before any) wins over the one reading then met.
 */
export async function readWindow<T>(path: string, selection: CutSelection | undefined, read: (source: TraceSource) => Promise<T>): Promise<T> {
  return (await readWindowWithCut(path, selection, read)).value;
}

/**
 * readWindow(), and what was cut (undefined for the whole trace): times in what `read` saw are
 * since the window began, `cut.startNs` after the trace did.
 */
export async function readWindowWithCut<T>(path: string, selection: CutSelection | undefined, read: (source: TraceSource) => Promise<T>): Promise<{ value: T; cut?: CutResult }> {
  if (selection === undefined) return { value: await read(path === '-' ? process.stdin : path) };
  if (path === '-') throw new Error('--generations, --from and --to need a file, not standard input');
  const pipe = new PassThrough();
  const cutting: Promise<CutResult> = cutTrace(path, pipe, selection).then(
    (result) => {
      warnBrokenInput(result, 'the window is cut');
      pipe.end();
      return result;
    },
    (error: unknown) => {
      pipe.destroy(error as Error);
      throw error;
    },
  );
  // However the reader ends, the pipe goes with it: one that stopped early (`dump | head`) must not
  // leave the cut waiting to write, and what the cut then says no longer matters.
  const reading = read(pipe).finally(() => pipe.destroy());
  const [cut, result] = await Promise.allSettled([cutting, reading]);
  if (result.status === 'fulfilled') return { value: result.value, ...(cut.status === 'fulfilled' ? { cut: cut.value } : {}) };
  if (cut.status === 'rejected') throw cut.reason;
  throw result.reason;
}

/** Says on stderr where the input of a cut breaks, if it does (`what` was made of what came before). */
export function warnBrokenInput(result: CutResult, what: string): void {
  const broken = result.inputError;
  if (broken === undefined) return;
  process.stderr.write(`schedscope: the trace breaks after generation ${result.inputGenerations} (${broken.name} at byte ${broken.offset}: ${broken.reason}); ${what} from the complete generations before it\n`);
}

/** Which part of the trace a command read, for its JSON and its summary. */
export interface WindowInfo {
  /** Generations read, counted from 1 in the trace, and how many it has (complete ones, if broken). */
  first: number;
  last: number;
  of: number;
  /** When they begin and end, in ns since the trace began. */
  fromNs: number;
  toNs: number;
}

export function windowInfo(cut: CutResult): WindowInfo {
  return { first: cut.first, last: cut.last, of: cut.inputGenerations, fromNs: cut.startNs, toNs: cut.endNs };
}

/**
 * "generations 56..61 of 198 (59.547s to 65.698s into the trace)"; "of 198 complete" when the trace
 * breaks after them (`brokenAfter`).
 */
export function windowText(window: WindowInfo, brokenAfter = false): string {
  const which = window.first === window.last ? `generation ${window.first}` : `generations ${window.first}..${window.last}`;
  return `${which} of ${window.of}${brokenAfter ? ' complete' : ''} (${(window.fromNs / 1e9).toFixed(3)}s to ${(window.toNs / 1e9).toFixed(3)}s into the trace)`;
}
