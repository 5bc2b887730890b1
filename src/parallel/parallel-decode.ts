// Parallel decode: the generation index gives each generation's byte range; pool workers decode
// generations independently; results merge on the main thread in generation order.
import { finishPartials, hintsFrom, mergePartials, refusedAfter } from '../analysis/run.js';
import { GenerationTooLargeError, TraceAbortedError } from '../errors.js';
import { DEFAULT_MAX_GENERATION_BYTES } from '../format/framer.js';
import type { SupportedVersion } from '../format/header.js';
import { analysisDefinitions } from './analysis-table.js';
import type { DecodeGenerationTask, DecodeSetup, GenerationBytes, GenerationResult } from './decode-task.js';
import { MergeConsistencyError, traceErrorFromWorker } from './errors.js';
import { indexGenerations, type GenerationExtent } from './generation-index.js';
import type { PlacementPolicy } from './placement.js';
import { WorkerPool, type PoolMetrics } from './pool.js';
import type { WorkerReadyInfo } from './protocol.js';

export interface ParallelModules {
  /** Compiled worker-entry.js. */
  workerEntry: string | URL;
  /** Compiled decode-task.js (or a module exporting the same `decodeGeneration` handler). */
  decodeTask: string | URL;
}

export interface ParallelDecodeOptions {
  workers?: number;
  placement?: PlacementPolicy;
  signal?: AbortSignal;
  /** Analyses to run (name → options, `{}` for defaults); omitted = event counts only. */
  analyses?: Record<string, unknown>;
  /** Per-generation deadline; a worker past it is replaced and the generation retried once. */
  taskTimeoutMs?: number;
  /** The pool's queue bound; runs are submitted one per free worker, so the queue rarely holds any. */
  queueCapacity?: number;
  /** Where the compiled worker files are (default: next to this module, i.e. dist/parallel/). */
  modules?: ParallelModules;
  /** Data for the task module's setup, merged over { formatVersion } (fault injection in tests). */
  setupData?: Record<string, unknown>;
  /** Largest generation accepted, as openTrace's option (default DEFAULT_MAX_GENERATION_BYTES). */
  maxGenerationBytes?: number;
  /**
   * Consecutive generations per task (default: planRuns, about two runs per worker of at most
   * MAX_RUN_BYTES each). A task decodes the generation before its run first to warm its decoder
   * up, so longer runs waste less; shorter runs balance the load better and hand back less at once.
   */
  generationsPerTask?: number;
  /** Count events by wire type (default true; analyze() turns it off: byWireType is then empty). */
  countWireTypes?: boolean;
  /** Called each time the next generation in order has been merged (for progress reporting). */
  onMerged?: (progress: { generations: number; bytesMerged: number; totalBytes: number }) => void;
}

export interface ParallelDecodeResult {
  formatVersion: SupportedVersion;
  generations: number;
  events: number;
  /** Bytes of the file read: its size (every generation and the header). */
  bytesRead: number;
  /** Event counts by wire type byte, only non-zero entries (empty with countWireTypes false). */
  byWireType: Record<number, number>;
  byKind: Record<number, number>;
  firstTimeNs: number | null;
  lastTimeNs: number | null;
  /** finish()ed analysis reports, when analyses were requested. */
  reports: Record<string, unknown> | null;
  execution: { mode: 'parallel'; workers: number; placement: PlacementPolicy; ready: WorkerReadyInfo[]; metrics: PoolMetrics; work: ParallelWork };
}

/**
 * Where a parallel run's time went, beyond the events themselves: what a user needs to see why
 * more workers do not give proportionally more speed. Times are milliseconds of wall time on the
 * thread named (workers: summed over all of them).
 */
export interface ParallelWork {
  /** Tasks (runs of consecutive generations) and how many began with a warm-up generation. */
  runs: number;
  warmUps: number;
  /** Workers: decoding (and analysing) the warm-up generations. */
  warmUpMs: number;
  /** Workers: reading, decoding and analysing the runs' own generations. */
  runMs: number;
  /** Workers: building the runs' partials (analyses' state to hand back). */
  partialsMs: number;
  /** This thread: merging the partials, per analysis. */
  mergeMs: Record<string, number>;
  /**
   * Runs decoded a second time because a hint they were given (AnalysisDefinition.hintFrom: MMU's
   * mark workers known when the run was handed out) missed something their predecessor showed.
   */
  rerunsAfterHints: number;
  /** Runs handed out with hints (reruns included). */
  hintedRuns: number;
}

function defaultModules(): ParallelModules {
  if (import.meta.url.endsWith('.ts')) {
    throw new TypeError('parallel decoding from TypeScript sources needs options.modules pointing at compiled worker files (npm run build:ts → dist/parallel/)');
  }
  return { workerEntry: new URL('./worker-entry.js', import.meta.url), decodeTask: new URL('./decode-task.js', import.meta.url) };
}

/**
 * Largest run (consecutive generations, one task) the default planning makes, in trace bytes. A run
 * has fixed costs (a warm-up generation decoded and analysed again; the run's partials built,
 * shipped and merged on the calling thread), so fewer runs are cheaper. What a run hands back no
 * longer grows with it (MMU's recording was ~0.7 bytes per trace byte until hints cut it to the
 * transitions of the goroutines that count), so the cap now mostly keeps progress coming and the
 * load balanced on huge traces. 1 GB bench trace, 2 workers, five interleaved runs each (one pass
 * 15.93-17.08 s): 64 MiB (18 runs) 10.58-10.73 s, 128 MiB (9 runs, the last alone) 11.19-11.74 s,
 * 256 MiB (5 runs, the last 3 generations) 9.43-10.63 s; planRuns now makes whole rounds of runs.
 */
export const MAX_RUN_BYTES = 384 * 1024 * 1024;

/**
 * Splits the generations into runs of whole generations: `perTask` each if given, otherwise two
 * runs per worker, or a multiple of that (one more run than workers leaves a worker idle at the
 * end; more runs cost their fixed share), then on a large trace a round of smaller ones
 * (TAIL_SHARE), each at most MAX_RUN_BYTES unless one generation alone is larger.
 */
export function planRuns(extents: readonly GenerationExtent[], workers: number, perTask?: number): GenerationExtent[][] {
  const runs: GenerationExtent[][] = [];
  if (perTask !== undefined) {
    for (let position = 0; position < extents.length; position += perTask) runs.push(extents.slice(position, position + perTask));
    return runs;
  }
  const total = extents.reduce((sum, extent) => sum + extent.byteLength, 0);
  // Whole rounds of two runs per worker (chains of CHAIN_RUNS), each run at most the cap: a run
  // count that does not divide over the workers leaves one of them alone with the last run. A
  // trace worth it ends with a round of smaller runs (TAIL_SHARE of it): whichever worker ends
  // its chain first takes them, so the workers finish closer together, and the merges left after
  // the last result (MMU's replay and evaluation, in trace order) are of small runs.
  const tail = total > workers * 2 * MIN_TAILED_RUN_BYTES ? TAIL_SHARE : 0;
  const rounds = Math.max(1, Math.ceil((total * (1 - tail)) / (workers * 2 * MAX_RUN_BYTES)));
  const sizes = Array.from({ length: workers * 2 * rounds }, () => (total * (1 - tail)) / (workers * 2 * rounds));
  if (tail > 0) sizes.push(...Array.from({ length: workers * 2 }, () => (total * tail) / (workers * 2)));
  // Each run closes where the bytes so far pass its share of the trace (nearer past than short of
  // it), or where the next generation would take it past the cap.
  let goal = sizes[0]!;
  let next = 1;
  let done = 0;
  let run: GenerationExtent[] = [];
  let bytes = 0;
  for (const extent of extents) {
    if (run.length > 0 && ((next < sizes.length && done + extent.byteLength / 2 > goal) || bytes + extent.byteLength > MAX_RUN_BYTES)) {
      runs.push(run);
      run = [];
      bytes = 0;
      while (next < sizes.length && goal < done + extent.byteLength / 2) goal += sizes[next++]!;
    }
    run.push(extent);
    bytes += extent.byteLength;
    done += extent.byteLength;
  }
  if (run.length > 0) runs.push(run);
  return runs;
}

/**
 * Share of a trace planRuns leaves to a last round of smaller runs, and the run size below which it
 * does not. 1 GB bench trace, 2 workers, three interleaved pairs in a quiet spell (one pass
 * 15.90-16.03 s): 9.61-9.64 s at 494-532 MB with a tail of 25 % against 9.63-9.79 s at 590-724 MB
 * without.
 */
export const TAIL_SHARE = 0.25;
const MIN_TAILED_RUN_BYTES = 64 * 1024 * 1024;

/**
 * Adjacent runs a worker decodes one after the other (a chain): all but the first follow the run
 * before on the same decoder, without a warm-up generation. Longer chains pay fewer warm-ups but
 * hold more results back from merging (a later chain's results wait for the earlier one's); on the
 * 1 GB bench trace with 2 workers, chains of 3 took 10.53–11.40 s against 10.89–11.34 s at 750–770
 * against 650–655 MB peak RSS (interleaved, three each): 3 % for 16 % more memory, so 2.
 */
export const CHAIN_RUNS = 2;

function nonZero(counts: number[]): Record<number, number> {
  const out: Record<number, number> = {};
  counts.forEach((n, i) => {
    if (n > 0) out[i] = n;
  });
  return out;
}

/** Decodes (and optionally analyses) a trace file's generations on a pool of pinned workers. */
export async function decodeGenerationsInParallel(path: string, options: ParallelDecodeOptions = {}): Promise<ParallelDecodeResult> {
  const signal = options.signal;
  const aborted = () => new TraceAbortedError({ offset: 0, reason: 'parallel decoding was aborted' }, { cause: signal?.reason });
  if (signal?.aborted) throw aborted();
  const index = await indexGenerations(path, signal ? { signal } : {});
  const maxGenerationBytes = options.maxGenerationBytes ?? DEFAULT_MAX_GENERATION_BYTES;
  for (const extent of index.generations) {
    if (extent.byteLength > maxGenerationBytes) {
      // The same refusal as the sequential reader: a worker buffers one whole generation.
      throw new GenerationTooLargeError(maxGenerationBytes, {
        offset: extent.offset,
        generation: extent.gen,
        reason: `generation ${extent.gen} is ${extent.byteLength} bytes, over maxGenerationBytes ${maxGenerationBytes}`,
      });
    }
  }
  const modules = options.modules ?? defaultModules();
  const placement = options.placement ?? 'none';
  const largest = index.generations.reduce((m, g) => Math.max(m, g.byteLength), 0);
  const setupData: DecodeSetup & Record<string, unknown> = { ...options.setupData, formatVersion: index.formatVersion };
  let pool: WorkerPool;
  try {
    pool = await WorkerPool.create({
      taskModule: modules.decodeTask,
      workerEntry: modules.workerEntry,
      placement,
      scratchBytes: largest,
      setupData,
      // A run takes seconds, a hand-over a millisecond: a prefetched run would sit behind a busy
      // worker while the other one idles at the end (measured: one of 2 workers idle 30 % of a
      // 200 MB analyze with 2 runs per worker in hand).
      tasksPerWorker: 1,
      ...(options.workers !== undefined ? { workers: options.workers } : {}),
      ...(options.taskTimeoutMs !== undefined ? { taskTimeoutMs: options.taskTimeoutMs } : {}),
      ...(options.queueCapacity !== undefined ? { queueCapacity: options.queueCapacity } : {}),
      ...(signal ? { signal } : {}),
    });
  } catch (error) {
    if (signal?.aborted) throw aborted();
    throw error;
  }
  const definitions = options.analyses ? analysisDefinitions(options.analyses) : null;
  const byWireType = new Array<number>(256).fill(0);
  const byKind = new Array<number>(256).fill(0);
  let events = 0;
  let firstTimeNs: number | null = null;
  let lastTimeNs: number | null = null;
  let merged: Record<string, unknown> | null = null;
  let nextToMerge = 0;
  let bytesMerged = 0;
  const waiting = new Map<number, GenerationResult>();
  const extents = index.generations;
  const work: ParallelWork = { runs: 0, warmUps: 0, warmUpMs: 0, runMs: 0, partialsMs: 0, mergeMs: {}, rerunsAfterHints: 0, hintedRuns: 0 };
  /** Sends a run whose hint missed to the pool again (set below, where runs are submitted). */
  let rerun: (position: number) => void = () => {};

  // Merging happens as soon as the next run in order is in, so at most the queue plus the runs in
  // flight wait here, never the whole trace.
  const mergeReady = () => {
    for (let result = waiting.get(nextToMerge); result !== undefined; result = waiting.get(nextToMerge)) {
      waiting.delete(nextToMerge);
      if (definitions && merged !== null && result.partials && refusedAfter(definitions, merged, result.partials).length > 0) {
        // Its hint missed something (rare: a mark worker first labelled while the run was out):
        // decoded again with hints from what is merged now, which ends where the run begins.
        work.rerunsAfterHints++;
        rerun(result.position);
        return;
      }
      for (let k = 0; k < result.count; k++) {
        const position = nextToMerge + k;
        const extent = extents[position]!;
        if (result.gens[k] !== extent.gen) {
          throw new MergeConsistencyError(`generation at position ${position} came back as ${result.gens[k]}, the index says ${extent.gen}`);
        }
        if (position > 0 && extent.gen <= extents[position - 1]!.gen) {
          throw new MergeConsistencyError(`generation ${extent.gen} does not follow ${extents[position - 1]!.gen}`);
        }
      }
      if (result.byKind[1]! < result.count) throw new MergeConsistencyError(`generations ${result.gens.join(', ')} decoded with ${result.byKind[1]} Sync events`);
      for (let i = 0; i < 256; i++) {
        byWireType[i]! += result.byWireType[i]!;
        byKind[i]! += result.byKind[i]!;
      }
      events += result.events;
      firstTimeNs ??= result.firstTimeNs;
      if (result.lastTimeNs !== null) lastTimeNs = result.lastTimeNs;
      if (definitions && result.partials) merged = merged === null ? result.partials : mergePartials(definitions, merged, result.partials, {}, work.mergeMs);
      work.runs++;
      if (result.warmedUp) work.warmUps++;
      work.warmUpMs += result.phaseMs.warmUp;
      work.runMs += result.phaseMs.run;
      work.partialsMs += result.phaseMs.partials;
      for (let k = 0; k < result.count; k++) {
        const extent = extents[nextToMerge]!;
        nextToMerge++;
        bytesMerged = extent.offset + extent.byteLength;
        options.onMerged?.({ generations: nextToMerge, bytesMerged, totalBytes: index.fileSize });
      }
    }
  };

  const bytesOf = (extent: GenerationExtent): GenerationBytes => ({ gen: extent.gen, offset: extent.offset, byteLength: extent.byteLength, batchCount: extent.batchCount });
  const perTask = options.generationsPerTask;
  if (perTask !== undefined && (!Number.isInteger(perTask) || perTask < 1)) throw new RangeError(`generationsPerTask must be a positive integer, got ${perTask}`);
  const runs = planRuns(extents, pool.placement.length, perTask);

  try {
    const starts: number[] = [];
    runs.reduce((position, run) => (starts.push(position), position + run.length), 0);
    let failure: unknown = null;
    /**
     * `hints`: 'known' from every partial in hand, 'exact' from the merged prefix alone (which ends
     * where the run begins: a rerun's), 'none' (a second rerun, which no hint can fail).
     */
    const taskOf = (k: number, hints: 'known' | 'exact' | 'none' = 'known'): DecodeGenerationTask => {
      const run = runs[k]!;
      const position = starts[k]!;
      const task: DecodeGenerationTask = {
        path,
        position,
        generations: run.map(bytesOf),
        isLast: position + run.length === extents.length,
        analyses: options.analyses ?? null,
        countWireTypes: options.countWireTypes !== false,
      };
      if (position > 0) task.previous = bytesOf(extents[position - 1]!);
      if (position > 0 && definitions && hints !== 'none') {
        // What the partials in hand say helps a part that begins mid-trace keep less (MMU: the
        // mark workers known so far); checked at the merge, where a miss sends the run again.
        const others = hints === 'exact' ? [] : [...waiting.values()].map((result) => result.partials);
        const known = [merged, ...others].filter((partials) => partials !== null);
        const given = hintsFrom(definitions, known);
        if (Object.keys(given).length > 0) {
          task.hints = given;
          work.hintedRuns++;
        }
      }
      return task;
    };
    // Runs go out in chains of CHAIN_RUNS adjacent runs, one chain per worker at a time: when a run
    // comes back, the next run of its chain goes to the worker that just finished (the pool keeps
    // a preferred worker when it is free), which decodes on from where it stopped, without the
    // warm-up generation a run needs after another worker's. A worker that finished a chain takes
    // another not handed out (submitChain: one it can continue without a warm-up if any, and not
    // one another worker can); when none is left, the next run of a chain still running (with a
    // warm-up) rather than idle until the end. Only as many runs as workers are out at once, so
    // results wait for merging at most about a chain or two behind.
    /** First runs of the chains not handed out yet, in trace order. */
    const chainStarts = runs.map((_, k) => k).filter((k) => k % CHAIN_RUNS === 0);
    /** Runs handed out and not back yet. */
    const outstanding = new Set<number>();
    let inFlight = 0;
    /** Runs that follow a run in flight in its chain, not handed out yet. */
    const successors = new Set<number>();
    let settle: () => void = () => {};
    const finished = new Promise<void>((resolve) => (settle = resolve));
    /** Counts a task in flight until it settles: its result goes to `onResult`, a failure to `failure`. */
    const track = (start: () => Promise<GenerationResult>, onResult: (result: GenerationResult) => void): void => {
      inFlight++;
      start()
        .then(onResult)
        .catch((error: unknown) => {
          failure ??= error;
        })
        .finally(() => {
          inFlight--;
          if (inFlight === 0) settle();
        });
    };
    const submit = (k: number, worker: number | undefined): void => {
      if ((k + 1) % CHAIN_RUNS !== 0 && k + 1 < runs.length) successors.add(k + 1);
      outstanding.add(k);
      const options = { ...(signal ? { signal } : {}), ...(worker !== undefined ? { preferWorker: worker } : {}) };
      track(
        () => pool.trySubmit<GenerationResult>('decodeGeneration', taskOf(k), options),
        (result) => {
          outstanding.delete(k);
          // In hand before the next run goes out, whose hints it may add to.
          waiting.set(result.position, result);
          // The worker's next run first: it would idle through the merge otherwise.
          if (failure === null) {
            if (successors.delete(k + 1)) submit(k + 1, result.workerIndex);
            else submitChain({ run: k, worker: result.workerIndex });
          }
          mergeReady();
        },
      );
    };
    const reruns = new Map<number, number>();
    rerun = (position: number): void => {
      const times = (reruns.get(position) ?? 0) + 1;
      reruns.set(position, times);
      const task = taskOf(starts.indexOf(position), times === 1 ? 'exact' : 'none');
      track(
        () => pool.submit<GenerationResult>('decodeGeneration', task, signal ? { signal } : {}),
        (result) => {
          waiting.set(result.position, result);
          mergeReady();
        },
      );
    };
    /**
     * The next chain for a worker, `after` the run it just finished (none at the start: chains go
     * out in order then). A chain that follows the worker's run goes to it (no warm-up); one that
     * follows another worker's run or pending successor is left to that worker, which will reach it
     * without a warm-up too; otherwise the first in trace order.
     */
    const submitChain = (after?: { run: number; worker: number }): void => {
      if (chainStarts.length > 0) {
        let pick = after === undefined ? 0 : chainStarts.indexOf(after.run + 1);
        const follows = pick >= 0;
        if (pick < 0) pick = chainStarts.findIndex((k) => !outstanding.has(k - 1) && !successors.has(k - 1));
        if (pick < 0) pick = 0;
        const [k] = chainStarts.splice(pick, 1);
        submit(k!, follows && after !== undefined ? after.worker : undefined);
        return;
      }
      const [successor] = successors;
      if (successor === undefined) return;
      successors.delete(successor);
      submit(successor, undefined);
    };
    for (let w = 0; w < pool.placement.length; w++) submitChain();
    if (inFlight > 0) await finished;
    if (signal?.aborted) throw aborted();
    // A generation that failed to decode fails the run with the error the sequential reader gives.
    if (failure !== null) throw traceErrorFromWorker(failure);
    if (nextToMerge !== extents.length) throw new MergeConsistencyError(`merged ${nextToMerge} of ${extents.length} generations`);
    const metrics = pool.metrics();
    const ready = pool.readyInfo();
    // The workers are done: their threads wind down while this one finishes the reports.
    const closing = pool.close();
    const reports = definitions && merged ? finishPartials(definitions, merged) : null;
    await closing;
    return {
      formatVersion: index.formatVersion,
      generations: extents.length,
      events,
      bytesRead: index.fileSize,
      byWireType: nonZero(byWireType),
      byKind: nonZero(byKind),
      firstTimeNs,
      lastTimeNs,
      reports,
      execution: { mode: 'parallel', workers: pool.placement.length, placement, ready, metrics, work },
    };
  } catch (error) {
    if (signal?.aborted) throw aborted();
    throw error;
  } finally {
    await pool.close();
  }
}
