// Task module run by pool workers for parallel decoding: reads one generation's byte range with
// positional reads into the worker's pre-touched scratch buffer, decodes it with the worker's own
// WASM decoder, and returns event counts and (optionally) the analyses' partials for that generation.
import { BatchView } from '../analysis/columns.js';
import { Kind } from '../analysis/events.js';
import { eventsOfKinds, kindMask } from '../analysis/kernels/kernel.js';
import { hintsFrom, startPass, type Pass } from '../analysis/run.js';
import { GenerationDecoder } from '../decoder/index.js';
import type { SupportedVersion } from '../format/header.js';
import type { EventBatch } from '../model/index.js';
import { analysisDefinitions } from './analysis-table.js';
import { readIntoRegion, readIntoScratch, type GenerationBytes } from './generation-bytes.js';
import { TransferringResult, type TaskHandler, type WorkerContext } from './protocol.js';

const SYNCS = kindMask(Kind.Sync);

export interface DecodeSetup {
  formatVersion: SupportedVersion;
}

export type { GenerationBytes } from './generation-bytes.js';

/**
 * A run of consecutive generations for one worker. Consecutive generations share one decoder (it
 * carries goroutine and proc state across the boundary), so a run pays the warm-up on `previous`
 * once instead of once per generation.
 */
export interface DecodeGenerationTask {
  path: string;
  /** Position of the run's first generation in the index (0 = first in the file). */
  position: number;
  generations: GenerationBytes[];
  /** The run ends the trace: it also delivers the reader's closing Sync, as the sequential reader does. */
  isLast: boolean;
  /** Analyses to run over the run (name → options), or null for counts only. */
  analyses: Record<string, unknown> | null;
  /**
   * Count events by wire type and kind (false: byWireType stays zero and byKind counts only Syncs,
   * which the merge checks; a per-event loop analyses do not need).
   */
  countWireTypes?: boolean;
  /**
   * The generation before the run (absent when it starts the trace). A worker that did not just
   * decode it decodes it first and discards its events: the decoder then holds what the sequential
   * reader holds at the run's start (goroutine, proc and thread states, the last timestamp), so the
   * run's events come out exactly as the sequential reader's, not as a first generation's
   * (from-states Undetermined, timestamps not clamped to the previous generation).
   */
  previous?: GenerationBytes;
  /** Per analysis, what the merging thread knows that lets a part beginning mid-trace keep less (CreateContext.hint). */
  hints?: Record<string, unknown>;
}

export interface GenerationResult {
  /** Position of the run's first generation, and how many generations the run had. */
  position: number;
  count: number;
  /** Generation numbers of the run, as decoded. */
  gens: bigint[];
  events: number;
  /** Events per wire type (index = wire type byte). */
  byWireType: number[];
  /** Events per event kind (index = EventKind). */
  byKind: number[];
  firstTimeNs: number | null;
  lastTimeNs: number | null;
  partials: Record<string, unknown> | null;
  workerIndex: number;
  /** Whether the run began with a warm-up generation (it did not follow the worker's previous run). */
  warmedUp: boolean;
  /** Worker time (ms) spent on the warm-up generation, on the run's own generations, and building its partials. */
  phaseMs: { warmUp: number; run: number; partials: number };
}

export async function setup(context: WorkerContext): Promise<void> {
  const { formatVersion } = context.setupData as DecodeSetup;
  context.state.set('decoder', await GenerationDecoder.create(formatVersion));
  context.state.set('version', formatVersion);
  context.state.set('lastPosition', -1);
}

type Definitions = ReturnType<typeof analysisDefinitions>;

/** Generations each decoder has loaded (which of its two framing slots the next one goes to). */
const loadsByDecoder = new WeakMap<GenerationDecoder, number>();

/**
 * Reads a generation and loads it into `decoder`: straight into the decoder's own memory (its
 * framing slots, so loading copies nothing) when a slot can hold it, else through the worker's
 * scratch buffer.
 */
async function loadGeneration(context: WorkerContext, decoder: GenerationDecoder, path: string, extent: GenerationBytes, version: SupportedVersion): Promise<void> {
  const k = loadsByDecoder.get(decoder) ?? 0;
  loadsByDecoder.set(decoder, k + 1);
  const region = decoder.framingRegions()(k);
  const framed = region === null ? null : await readIntoRegion(context, path, extent, region, version);
  if (framed !== null) {
    decoder.load(framed);
    return;
  }
  const bytes = await readIntoScratch(context, path, extent, version);
  decoder.load({ gen: extent.gen, fileOffset: extent.offset, parts: [bytes], byteLength: bytes.length, batchCount: extent.batchCount });
}

/** The analyses that take hints (AnalysisDefinition.hintFrom). */
function hintingOf(definitions: Definitions): Definitions {
  return Object.fromEntries(Object.entries(definitions).filter(([, entry]) => entry.definition.hintFrom !== undefined));
}

function splitByResumption(definitions: Definitions): { resuming: Definitions; plain: Definitions } {
  const resuming: Definitions = {};
  const plain: Definitions = {};
  for (const [name, entry] of Object.entries(definitions)) (entry.definition.resumes === true ? resuming : plain)[name] = entry;
  return { resuming, plain };
}

const decodeGeneration: TaskHandler = async (payload, context) => {
  const started = performance.now();
  const task = payload as DecodeGenerationTask;
  const version = context.state.get('version') as SupportedVersion;
  // A decoder carries goroutine and proc state from one generation to the next and checks it; that
  // only holds for the generation right after the one it decoded last. Any other generation gets the
  // decoder restarted, warmed up on the generation before it (see `previous`).
  const decoder = context.state.get('decoder') as GenerationDecoder;
  const definitions = task.analyses ? analysisDefinitions(task.analyses) : {};
  const { resuming, plain } = splitByResumption(definitions);
  let hints = task.hints;
  const resumingKey = JSON.stringify(Object.keys(resuming).map((name) => [name, task.analyses?.[name]]));
  // Analyses that resume keep one pass per worker: continuing from the worker's previous run it
  // already holds the true state; otherwise the warm-up generation below builds it.
  let resumingPass = context.state.get('resumingKey') === resumingKey ? (context.state.get('resumingPass') as Pass | undefined) : undefined;
  const hasResuming = Object.keys(resuming).length > 0;
  const contiguous = context.state.get('lastPosition') === task.position - 1 && task.position > 0 && (!hasResuming || resumingPass !== undefined);
  const warmedUp = !contiguous && task.previous !== undefined;
  if (!contiguous) {
    resumingPass = undefined;
    decoder.restart();
    context.state.set('lastPosition', -1);
    if (task.previous !== undefined) {
      decoder.setSyncCount(task.position - 1);
      await loadGeneration(context, decoder, task.path, task.previous, version);
      resumingPass = hasResuming ? startPass(resuming, true) : undefined;
      // Analyses that take hints learn from the warm-up generation too, as a part of their own
      // (MMU: the mark workers labelled just before the run, fresher than what the merging
      // thread knew when it handed the run out, and all there is for a run handed out first).
      const hinting = hints === undefined ? {} : hintingOf(plain);
      const learning = Object.keys(hinting).length > 0 ? startPass(hinting, false, { hints: hints! }) : undefined;
      const warmView = new BatchView();
      for (let batch = decoder.next(); batch !== null; batch = decoder.next()) {
        const bound = warmView.bind(batch);
        resumingPass?.consume(bound);
        learning?.consume(bound);
      }
      if (learning !== undefined) hints = { ...hints, ...hintsFrom(hinting, [learning.partials()]) };
    }
  }
  const warmUpDone = performance.now();
  if (!hasResuming) resumingPass = undefined;
  else if (resumingPass === undefined) resumingPass = startPass(resuming, true); // the trace start
  else resumingPass.beginPart();
  // Forgotten until the run succeeds: a failed run leaves no half-consumed state behind.
  context.state.delete('resumingPass');
  context.state.set('resumingKey', resumingKey);
  const countWireTypes = task.countWireTypes !== false;
  const byWireType = new Array<number>(256).fill(0);
  const byKind = new Array<number>(256).fill(0);
  let events = 0;
  let firstTimeNs: number | null = null;
  let lastTimeNs: number | null = null;
  const pass = Object.keys(plain).length > 0 ? startPass(plain, task.position === 0, hints ? { hints } : {}) : null;
  const view = new BatchView();
  const consume = (batch: EventBatch) => {
    if (countWireTypes) {
      const kinds = batch.kind;
      const types = batch.wireType;
      for (let i = 0; i < batch.length; i++) {
        byWireType[types[i]!]!++;
        byKind[kinds[i]!]!++;
      }
    } else {
      // Only the Syncs matter then (the merge checks one per generation): visit those alone.
      byKind[Kind.Sync]! += eventsOfKinds(view.bind(batch), SYNCS).length;
    }
    events += batch.length;
    if (batch.length > 0) {
      firstTimeNs ??= batch.timeNs[0]!;
      lastTimeNs = batch.timeNs[batch.length - 1]!;
    }
    if (pass || resumingPass) {
      const bound = view.bind(batch);
      pass?.consume(bound);
      resumingPass?.consume(bound);
    }
  };
  const gens: bigint[] = [];
  for (let k = 0; k < task.generations.length; k++) {
    const extent = task.generations[k]!;
    // Sync.N counts from the start of the trace, whichever generations this decoder has seen.
    decoder.setSyncCount(task.position + k);
    context.state.set('lastPosition', -1);
    await loadGeneration(context, decoder, task.path, extent, version);
    for (let batch = decoder.next(); batch !== null; batch = decoder.next()) consume(batch);
    context.state.set('lastPosition', task.position + k);
    gens.push(extent.gen);
  }
  if (task.isLast) consume(decoder.bareSync());
  const runDone = performance.now();
  if (resumingPass) context.state.set('resumingPass', resumingPass);
  const result: GenerationResult = {
    position: task.position,
    count: task.generations.length,
    gens,
    events,
    byWireType,
    byKind,
    firstTimeNs,
    lastTimeNs,
    partials: task.analyses ? { ...pass?.partials(), ...resumingPass?.partials() } : null,
    workerIndex: context.workerIndex,
    warmedUp,
    phaseMs: { warmUp: warmUpDone - started, run: runDone - warmUpDone, partials: 0 },
  };
  result.phaseMs.partials = performance.now() - runDone;
  // The pass is done with: its partials' own buffers can move to the merging thread.
  const transfer: ArrayBuffer[] = [];
  for (const [name, partial] of Object.entries(result.partials ?? {})) {
    const definition = definitions[name]?.definition;
    if (definition?.transferables) transfer.push(...definition.transferables(partial));
  }
  return transfer.length > 0 ? new TransferringResult(result, transfer) : result;
};

export const handlers: Record<string, TaskHandler> = { decodeGeneration };
