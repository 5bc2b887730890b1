// Cuts whole generations out of a trace into a trace of their own: the header, then the bytes of a
// run of consecutive generations, copied as they are. Each generation restates the state of what
// it mentions and carries its own strings, stacks and clock, which is what lets Go's flight
// recorder start a trace anywhere; so a cut is a valid trace that Go's reader and `go tool trace`
// open, however large the file it came from (a window of a trace too big for them to load). Only
// batch headers are read (the generation index) and the bytes are streamed, so memory stays flat.
import { createReadStream, createWriteStream } from 'node:fs';
import { open, rm } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { summarizeTraceError, TraceAbortedError, type TraceErrorSummary } from '../errors.js';
import { HEADER_BYTES } from '../format/header.js';
import { indexGenerations, type GenerationExtent } from '../parallel/generation-index.js';

/** Which generations to keep: positions, a time window, or both (their intersection). */
export interface CutSelection {
  /** First and last generation to keep, counted from 1 in file order (as `stat` counts them). */
  generations?: { first: number; last: number };
  /**
   * Keep the generations that overlap [fromNs, toNs), times in ns since the trace's first
   * generation began; either bound may be left out.
   */
  fromNs?: number;
  toNs?: number;
}

export interface CutOptions {
  signal?: AbortSignal;
}

export interface CutResult {
  formatVersion: string;
  /** Generations in the input. */
  inputGenerations: number;
  /** The generations kept, counted from 1 in the input's file order. */
  first: number;
  last: number;
  /** Their generation numbers as written in the file. */
  firstWireGeneration: number;
  lastWireGeneration: number;
  /** Bytes written (header included). */
  bytes: number;
  /** When the kept generations begin and end, in ns since the input's first generation began. */
  startNs: number;
  endNs: number;
  /**
   * Where the input breaks, if it does: the generations are counted up to the last one complete
   * before the break (`inputGenerations`), and the cut holds only such generations.
   */
  inputError?: TraceErrorSummary;
}

/** The selection names no generation of the trace, or is not a selection. */
export class CutSelectionError extends Error {
  override name = 'CutSelectionError';
}

/**
 * Writes the generations `selection` names of the trace at `path` to `destination` (a file path, or
 * a writable stream, which is left open) as a trace of its own. The whole file's batch headers are
 * read first. In a broken trace the generations complete before the break can be cut (the result's
 * `inputError` says where it breaks); with none, the break's typed error (a TraceFormatError:
 * offset, generation, reason) rejects before anything is written.
 */
export async function cutTrace(path: string, destination: string | NodeJS.WritableStream, selection: CutSelection, options: CutOptions = {}): Promise<CutResult> {
  // A broken trace (a crashed program's) still has its complete generations before the break to cut.
  const index = await indexGenerations(path, { signal: options.signal, keepGoodPrefix: true });
  const extents = index.generations;
  const broken = index.brokenAt;
  if (broken !== undefined && extents.length === 0) throw broken;
  let first: number;
  let last: number;
  try {
    [first, last] = selectGenerations(extents, selection);
  } catch (error) {
    if (broken === undefined || !(error instanceof CutSelectionError)) throw error;
    throw new CutSelectionError(`${error.message}; the trace breaks after generation ${extents.length} (${broken.name} at byte ${broken.offset}: ${broken.reason})`, { cause: broken });
  }
  const firstExtent = extents[first - 1]!;
  const lastExtent = extents[last - 1]!;
  const start = firstExtent.offset;
  const end = lastExtent.offset + lastExtent.byteLength;
  const header = await readHeader(path);
  const output = typeof destination === 'string' ? createWriteStream(destination) : destination;
  async function* bytes(): AsyncGenerator<Uint8Array> {
    yield header;
    if (end > start) yield* createReadStream(path, { start, end: end - 1, signal: options.signal });
  }
  try {
    await pipeline(bytes, output, { end: typeof destination === 'string', signal: options.signal });
  } catch (error) {
    // No partial trace left under the name asked for: it would read as a trace broken at its end.
    if (typeof destination === 'string') await rm(destination, { force: true });
    if (options.signal?.aborted) throw new TraceAbortedError({ offset: start, reason: 'cutting was aborted' }, { cause: options.signal.reason });
    throw error;
  }
  const span = generationSpans(extents);
  return {
    formatVersion: `1.${index.formatVersion}`,
    inputGenerations: extents.length,
    first,
    last,
    firstWireGeneration: Number(firstExtent.gen),
    lastWireGeneration: Number(lastExtent.gen),
    bytes: HEADER_BYTES + end - start,
    startNs: span[first - 1]!.startNs,
    endNs: span[last - 1]!.endNs,
    ...(broken !== undefined ? { inputError: summarizeTraceError(broken) } : {}),
  };
}

/** Each generation's time span, in ns since the first began: to the next one's start (the last: its latest batch). */
export function generationSpans(extents: readonly GenerationExtent[]): { startNs: number; endNs: number }[] {
  const origin = extents[0]?.startNs ?? 0;
  return extents.map((extent, k) => {
    const next = extents[k + 1];
    const end = next !== undefined ? next.startNs : latestBatchNs(extent);
    return { startNs: extent.startNs - origin, endNs: Math.max(end, extent.startNs) - origin };
  });
}

function latestBatchNs(extent: GenerationExtent): number {
  if (extent.ticksPerSecond === 0n) return extent.startNs;
  return extent.startNs + Number(extent.maxTicks - extent.minTicks) * (1e9 / Number(extent.ticksPerSecond));
}

/** First and last generation (from 1) the selection keeps. */
export function selectGenerations(extents: readonly GenerationExtent[], selection: CutSelection): [number, number] {
  const count = extents.length;
  if (count === 0) throw new CutSelectionError('the trace has no generations');
  let first = 1;
  let last = count;
  if (selection.generations !== undefined) {
    const wanted = selection.generations;
    if (!Number.isInteger(wanted.first) || !Number.isInteger(wanted.last) || wanted.first < 1 || wanted.last < wanted.first) {
      throw new CutSelectionError(`generations ${wanted.first}..${wanted.last}: give 1 ≤ first ≤ last`);
    }
    if (wanted.first > count) throw new CutSelectionError(`generations ${wanted.first}..${wanted.last}: the trace has ${count}`);
    first = wanted.first;
    last = Math.min(wanted.last, count);
  }
  const from = selection.fromNs ?? -Infinity;
  const to = selection.toNs ?? Infinity;
  if (Number.isNaN(from) || Number.isNaN(to) || from >= to) throw new CutSelectionError(`time window [${selection.fromNs ?? ''}, ${selection.toNs ?? ''}) is empty`);
  if (selection.fromNs === undefined && selection.toNs === undefined) return [first, last];
  const span = generationSpans(extents);
  // Generations overlapping [from, to); one with no length counts if its instant is in the window.
  const overlaps = (k: number) => span[k]!.startNs < to && (span[k]!.endNs > from || span[k]!.startNs >= from);
  let lo = first;
  while (lo <= last && !overlaps(lo - 1)) lo++;
  let hi = last;
  while (hi >= lo && !overlaps(hi - 1)) hi--;
  if (lo > hi) {
    const total = span[count - 1]!.endNs;
    throw new CutSelectionError(`no generation${selection.generations ? ` among ${first}..${last}` : ''} overlaps the time window (the trace spans 0s to ${(total / 1e9).toFixed(3)}s)`);
  }
  return [lo, hi];
}

async function readHeader(path: string): Promise<Uint8Array> {
  const handle = await open(path, 'r');
  try {
    const header = new Uint8Array(HEADER_BYTES);
    const { bytesRead } = await handle.read(header, 0, HEADER_BYTES, 0);
    return header.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}
