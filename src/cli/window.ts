// `--generations`, `--from`, `--to` for the commands that read a trace: only a window of it, cut to
// whole generations on the fly (export/cut.ts) and streamed into the command, so an incident's
// minute of a huge trace is analysed, diagnosed or exported without reading the rest.
import type { Command } from 'commander';
import { statSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { cutTrace, type CutResult, type CutSelection } from '../export/cut.js';
import type { TraceSource } from '../trace.js';
import { parseDuration, parseGenerationRange } from './cut.js';

export interface WindowFlags {
  generations?: { first: number; last: number };
  from?: number;
  to?: number;
}

/** Adds the three options to a command. */
export function windowOptions(command: Command): Command {
  return command
    .option('--generations <range>', 'only these generations, counted from 1 (e.g. 3..7), as schedscope cut selects them', parseGenerationRange)
    .option('--from <time>', 'only generations that end after this time since the trace began (e.g. 2s)', parseDuration)
    .option('--to <time>', 'only generations that begin before this time since the trace began (e.g. 3.5s)', parseDuration);
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
 * it, cut as it is read. The cut's own error (a window that names no generation, a trace broken
 * before any) wins over the one reading it then meets.
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
      const broken = result.inputError;
      if (broken !== undefined) {
        process.stderr.write(`schedscope: the trace breaks after generation ${result.inputGenerations} (${broken.name} at byte ${broken.offset}: ${broken.reason}); the window is cut from the complete generations before it\n`);
      }
      pipe.end();
      return result;
    },
    (error: unknown) => {
      pipe.destroy(error as Error);
      throw error;
    },
  );
  const reading = read(pipe).catch((error: unknown) => {
    // Stop the cut feeding a reader that has gone.
    pipe.destroy();
    throw error;
  });
  const [cut, result] = await Promise.allSettled([cutting, reading]);
  if (cut.status === 'rejected') throw cut.reason;
  if (result.status === 'rejected') throw result.reason;
  return { value: result.value, cut: cut.value };
}
