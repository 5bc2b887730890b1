// Task module run by pool workers for parallel decoding: reads one generation's byte range with
// positional reads into the worker's pre-touched scratch buffer, decodes it with the worker's own
// WASM decoder, and returns event counts and (optionally) the analyses' partials for that generation.
import { open, type FileHandle } from 'node:fs/promises';
import { BatchView } from '../analysis/columns.js';
import { startPass } from '../analysis/run.js';
import { GenerationDecoder } from '../decoder/index.js';
import type { SupportedVersion } from '../format/header.js';
import type { EventBatch } from '../model/index.js';
import { analysisDefinitions } from './analysis-table.js';
import type { TaskHandler, WorkerContext } from './protocol.js';

export interface DecodeSetup {
  formatVersion: SupportedVersion;
}

export interface DecodeGenerationTask {
  path: string;
  /** Position of the generation in the index (0 = first in the file). */
  position: number;
  gen: bigint;
  offset: number;
  byteLength: number;
  batchCount: number;
  /** The last generation also delivers the reader's closing Sync, as the sequential reader does. */
  isLast: boolean;
  /** Analyses to run over this generation (name → options), or null for counts only. */
  analyses: Record<string, unknown> | null;
  /**
   * The generation before this one (absent for the first). A worker that did not just decode it
   * decodes it first and discards its events: the decoder then holds what the sequential reader
   * holds at this generation's start (goroutine, proc and thread states, the last timestamp), so
   * this generation's events come out exactly as the sequential reader's, not as a first
   * generation's (from-states Undetermined, timestamps not clamped to the previous generation).
   */
  previous?: { gen: bigint; offset: number; byteLength: number; batchCount: number };
}

export interface GenerationResult {
  position: number;
  gen: bigint;
  events: number;
  /** Events per wire type (index = wire type byte). */
  byWireType: number[];
  /** Events per event kind (index = EventKind). */
  byKind: number[];
  firstTimeNs: number | null;
  lastTimeNs: number | null;
  partials: Record<string, unknown> | null;
  workerIndex: number;
}

const END_OF_GENERATION = 0x34;

async function fileFor(context: WorkerContext, path: string): Promise<FileHandle> {
  const key = `file:${path}`;
  let handle = context.state.get(key) as FileHandle | undefined;
  if (handle === undefined) {
    for (const [k, v] of context.state) if (k.startsWith('file:')) await (v as FileHandle).close();
    for (const k of [...context.state.keys()]) if (k.startsWith('file:')) context.state.delete(k);
    handle = await open(path, 'r');
    context.state.set(key, handle);
  }
  return handle;
}

export async function setup(context: WorkerContext): Promise<void> {
  const { formatVersion } = context.setupData as DecodeSetup;
  context.state.set('decoder', await GenerationDecoder.create(formatVersion));
  context.state.set('version', formatVersion);
  context.state.set('lastPosition', -1);
}

/** Reads a generation's batches into the worker's scratch buffer (Go 1.26's end marker dropped). */
async function readGeneration(
  handle: FileHandle,
  context: WorkerContext,
  extent: { path: string; gen: bigint; offset: number; byteLength: number },
  version: SupportedVersion,
): Promise<Uint8Array> {
  const buffer = context.ensureScratch(extent.byteLength);
  let filled = 0;
  while (filled < extent.byteLength) {
    const { bytesRead } = await handle.read(buffer, filled, extent.byteLength - filled, extent.offset + filled);
    if (bytesRead === 0) throw new RangeError(`file ended at ${extent.offset + filled} inside generation ${extent.gen}; was it changed since indexing?`);
    filled += bytesRead;
  }
  // The index counts Go 1.26's end-of-generation byte; the decoder takes the batches only.
  const length = version >= 26 && buffer[extent.byteLength - 1] === END_OF_GENERATION ? extent.byteLength - 1 : extent.byteLength;
  return buffer.subarray(0, length);
}

const decodeGeneration: TaskHandler = async (payload, context) => {
  const task = payload as DecodeGenerationTask;
  const version = context.state.get('version') as SupportedVersion;
  // A decoder carries goroutine and proc state from one generation to the next and checks it; that
  // only holds for the generation right after the one it decoded last. Any other generation gets a
  // fresh decoder, warmed up on the generation before it (see `previous`).
  let decoder = context.state.get('decoder') as GenerationDecoder;
  const handle = await fileFor(context, task.path);
  if (context.state.get('lastPosition') !== task.position - 1) {
    decoder = await GenerationDecoder.create(version);
    context.state.set('decoder', decoder);
    context.state.set('lastPosition', -1);
    if (task.previous !== undefined) {
      const previous = { ...task.previous, path: task.path };
      const bytes = await readGeneration(handle, context, previous, version);
      decoder.load({ gen: previous.gen, fileOffset: previous.offset, parts: [bytes], byteLength: bytes.length, batchCount: previous.batchCount });
      while (decoder.next() !== null);
    }
  }
  // Sync.N counts from the start of the trace, whichever generations this decoder has seen.
  decoder.setSyncCount(task.position);
  context.state.set('lastPosition', task.position);
  const bytes = await readGeneration(handle, context, task, version);
  const byWireType = new Array<number>(256).fill(0);
  const byKind = new Array<number>(256).fill(0);
  let events = 0;
  let firstTimeNs: number | null = null;
  let lastTimeNs: number | null = null;
  const pass = task.analyses ? startPass(analysisDefinitions(task.analyses), task.position === 0) : null;
  const view = new BatchView();
  const consume = (batch: EventBatch) => {
    for (let i = 0; i < batch.length; i++) {
      byWireType[batch.wireType[i]!]!++;
      byKind[batch.kind[i]!]!++;
    }
    events += batch.length;
    if (batch.length > 0) {
      firstTimeNs ??= batch.timeNs[0]!;
      lastTimeNs = batch.timeNs[batch.length - 1]!;
    }
    if (pass) pass.consume(view.bind(batch));
  };
  decoder.load({ gen: task.gen, fileOffset: task.offset, parts: [bytes], byteLength: bytes.length, batchCount: task.batchCount });
  for (let batch = decoder.next(); batch !== null; batch = decoder.next()) consume(batch);
  if (task.isLast) consume(decoder.bareSync());
  const result: GenerationResult = {
    position: task.position,
    gen: task.gen,
    events,
    byWireType,
    byKind,
    firstTimeNs,
    lastTimeNs,
    partials: pass ? pass.partials() : null,
    workerIndex: context.workerIndex,
  };
  return result;
};

export const handlers: Record<string, TaskHandler> = { decodeGeneration };
