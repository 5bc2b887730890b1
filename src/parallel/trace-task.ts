// Task module for openTrace(..., { workers }): a worker decodes one generation on its own (a fresh
// decoder, or one that just decoded the previous generation) and hands back its event columns as
// transferable buffers, the strings and stacks those events refer to, and a boundary summary: what
// the generation depends on from the one before it (rows whose from-state, context, time or task
// name a sequential reader would fill in from earlier generations) and what it leaves behind for
// the next (thread contexts, goroutine and proc statuses, open tasks). The main thread stitches and
// checks generations with these (stitch.ts), so its own work stays proportional to the boundary,
// not to the events. The row scan below runs once per event: kinds and wire types are written as
// literals there (a property load of EventKind/WireType per comparison measurably slowed it).
import { GenerationDecoder } from '../decoder/index.js';
import type { SupportedVersion } from '../format/header.js';
import type { EventBatch, StackFrame, SyncInfo } from '../model/index.js';
import { batchesOnly, readIntoScratch, type GenerationBytes } from './generation-bytes.js';
import { packBatch } from './packed-columns.js';
import { TransferringResult, type TaskHandler, type WorkerContext } from './protocol.js';

export interface TraceTaskSetup {
  formatVersion: SupportedVersion;
  eventsPerBatch?: number;
}

export type { GenerationBytes } from './generation-bytes.js';

export interface DecodeColumnsTask extends GenerationBytes {
  /** Trace file, or the whole trace in a SharedArrayBuffer (a Uint8Array source). */
  path: string | null;
  shared: SharedArrayBuffer | null;
  position: number;
  isLast: boolean;
  /** Decode this generation first and discard its events, so the decoder holds the sequential state. */
  warmUp: GenerationBytes | null;
}

/** Thread context or proc status the generation did not set: it is whatever came before. */
export const CARRIED = -2;

export interface BoundarySummary {
  /** ProcStatus/GoStatus/GoStatusStack rows decoded with from-state Undetermined (first sight). */
  statusRows: number[];
  /** Rows of Sync events (Sync.N is renumbered at the merge). */
  syncRows: number[];
  /** UserTaskEnd rows whose task did not begin in this generation (parent/name from earlier). */
  openTaskEndRows: number[];
  /** [row, thread] pairs: events before the thread's proc (resp. goroutine) was set in this generation. */
  procPrefix: number[];
  goroutinePrefix: number[];
  /** First event of a thread in this generation that is a GoStatus for a syscalling goroutine. */
  syscallStatusRows: number[];
  /** [thread, proc, goroutine] after the generation (CARRIED = not set in it). */
  threadsAfter: number[];
  /** [goroutine, GoState] after the generation for every goroutine it mentions (NotExist = gone). */
  goroutinesAfter: number[];
  /** [proc, wire status] after the generation for every proc it mentions. */
  procsAfter: number[];
  /** Tasks begun here and still open at the end: [id, parent, name]. */
  tasksOpened: Array<[bigint, bigint, string]>;
  /** Tasks ended here (ids). */
  tasksEnded: bigint[];
  /** A status the stitcher cannot reproduce (a proc restated as SyscallAbandoned): decode again warmed up. */
  needsWarmUp: boolean;
}

export interface GenerationTablesData {
  strings: Array<[number, string]>;
  extraStrings: Array<[number, string]>;
  stacks: Array<[number, StackFrame[]]>;
  sync: Omit<SyncInfo, 'n'> | null;
}

export interface GenerationColumns {
  position: number;
  gen: bigint;
  warmedUp: boolean;
  /** Packed batches (packed-columns.ts), in order. */
  batches: Array<{ length: number; buffer: ArrayBuffer }>;
  events: number;
  tables: GenerationTablesData;
  summary: BoundarySummary;
}

const PROC_STATUS_RUNNING = 1;
const PROC_STATUS_IDLE = 2;
const PROC_STATUS_SYSCALL = 3;
const PROC_STATUS_ABANDONED = 4;
const GO_UNDETERMINED = 0;
const GO_STATE_RUNNING = 3;
const GO_STATE_SYSCALL = 5;

export async function setup(context: WorkerContext): Promise<void> {
  const { formatVersion, eventsPerBatch } = context.setupData as TraceTaskSetup;
  context.state.set('version', formatVersion);
  context.state.set('decoder', await GenerationDecoder.create(formatVersion, eventsPerBatch === undefined ? {} : { eventsPerBatch }));
  context.state.set('lastPosition', -1);
}

async function readBytes(task: DecodeColumnsTask, extent: GenerationBytes, context: WorkerContext, version: SupportedVersion): Promise<Uint8Array> {
  if (task.shared !== null) return batchesOnly(new Uint8Array(task.shared, extent.offset, extent.byteLength), version);
  return readIntoScratch(context, task.path!, extent, version);
}

/** Last value per id (a byte), for dense ids in an array, with the ids in first-touch order. */
class LastValueById {
  private dense = new Int16Array(1 << 12).fill(-1);
  private readonly sparse = new Map<number, number>();
  private readonly touched: number[] = [];

  set(id: number, value: number): void {
    if (id >= 0 && id < 1 << 22) {
      if (id >= this.dense.length) {
        const grown = new Int16Array(Math.max(id + 1, this.dense.length * 2)).fill(-1);
        grown.set(this.dense);
        this.dense = grown;
      }
      if (this.dense[id] === -1) this.touched.push(id);
      this.dense[id] = value;
    } else {
      if (!this.sparse.has(id)) this.touched.push(id);
      this.sparse.set(id, value);
    }
  }

  /** [id, value] pairs, flattened. */
  pairs(): number[] {
    const out: number[] = [];
    for (const id of this.touched) out.push(id, id >= 0 && id < 1 << 22 ? this.dense[id]! : this.sparse.get(id)!);
    return out;
  }
}

interface ThreadState {
  p: number;
  g: number;
  seen: boolean;
}

/** Walks the decoded rows once, collecting the ids to ship and the boundary summary. */
class GenerationScanner {
  readonly summary: BoundarySummary = {
    statusRows: [], syncRows: [], openTaskEndRows: [], procPrefix: [], goroutinePrefix: [], syscallStatusRows: [],
    threadsAfter: [], goroutinesAfter: [], procsAfter: [], tasksOpened: [], tasksEnded: [], needsWarmUp: false,
  };
  private readonly threads = new Map<number, ThreadState>();
  private readonly goroutines = new LastValueById();
  private readonly procs = new LastValueById();
  private readonly openTasks = new Map<bigint, [bigint, bigint, string]>();
  private readonly endedTasks: bigint[] = [];
  readonly extraStrings = new Set<number>();
  hasSyncDetails = false;
  private row = 0;

  constructor(private readonly laterGeneration: boolean) {}

  private thread(m: number): ThreadState {
    let state = this.threads.get(m);
    if (state === undefined) {
      state = { p: CARRIED, g: CARRIED, seen: false };
      this.threads.set(m, state);
    }
    return state;
  }

  scan(batch: EventBatch, resolveString: (id: bigint) => string): void {
    const { kind, wireType, thread, proc, goroutine, args, resourceKind, resourceId, from, to, size } = batch;
    const summary = this.summary;
    let lastThread = Number.NaN;
    let state: ThreadState | null = null;
    for (let i = 0; i < batch.length; i++, this.row++) {
      const row = this.row;
      const k = kind[i]!;
      const type = wireType[i]!;
      const m = thread[i]!;
      if (m !== lastThread) {
        lastThread = m;
        state = m === -1 ? null : this.thread(m);
      }
      // CPU samples carry the M/P/G recorded with the sample, not the thread's ordered context.
      if (k === 4 /* StackSample */) continue;
      // Thread context before the event: events before this generation set it keep what came before.
      const isSyscallStatus = (type === 25 /* GoStatus */ || type === 48 /* GoStatusStack */) && to[i] === GO_STATE_SYSCALL;
      if (state !== null) {
        if (!state.seen && isSyscallStatus) summary.syscallStatusRows.push(row);
        state.seen = true;
        const p = proc[i]!;
        if (state.p === CARRIED && p === -1) summary.procPrefix.push(row, m);
        else if (!isSyscallStatus) state.p = p;
        const g = goroutine[i]!;
        if (state.g === CARRIED && g === -1) summary.goroutinePrefix.push(row, m);
        else if (!isSyscallStatus) state.g = g;
      }
      switch (k) {
        case 13 /* StateTransition */: {
          const id = resourceId[i]!;
          if (resourceKind[i] === 1) this.goroutines.set(id, to[i]!);
          if ((type === 25 /* GoStatus */ || type === 48 /* GoStatusStack */ || type === 13 /* ProcStatus */) && from[i] === GO_UNDETERMINED) {
            summary.statusRows.push(row);
            if (type === 13 /* ProcStatus */ && args[1][i] === BigInt(PROC_STATUS_ABANDONED) && this.laterGeneration) summary.needsWarmUp = true;
          }
          break;
        }
        case 1 /* Sync */:
          summary.syncRows.push(row);
          if (args[1][i] === 1n) this.hasSyncDetails = true;
          break;
        case 8 /* TaskBegin */: {
          const id = args[0][i]!;
          this.openTasks.set(id, [id, args[1][i]!, resolveString(args[2][i]!)]);
          break;
        }
        case 9 /* TaskEnd */: {
          const id = args[0][i]!;
          const extra = args[3][i]!;
          if (extra !== 0n) this.extraStrings.add(Number(extra));
          if (!this.openTasks.delete(id) && extra === 0n) summary.openTaskEndRows.push(row);
          this.endedTasks.push(id);
          break;
        }
        default:
          break;
      }
      // What the event leaves behind: thread context (Go's ordering's newP/newG) and proc status.
      switch (type) {
        case 13 /* ProcStatus */: {
          const status = Number(args[1][i]!);
          this.procs.set(resourceId[i]!, status);
          if (state !== null && (status === PROC_STATUS_RUNNING || status === PROC_STATUS_SYSCALL)) state.p = resourceId[i]!;
          break;
        }
        case 10 /* ProcStart */:
          this.procs.set(resourceId[i]!, PROC_STATUS_RUNNING);
          if (state !== null) state.p = resourceId[i]!;
          break;
        case 11 /* ProcStop */:
          if (proc[i]! >= 0) this.procs.set(proc[i]!, PROC_STATUS_IDLE);
          if (state !== null) state.p = -1;
          break;
        case 12 /* ProcSteal */: {
          if (size[i] === 0) break; // made by GoDestroySyscall, which does the work itself
          const pid = Number(args[0][i]!);
          const victim = Number(args[2][i]!);
          const wasAbandoned = args[3][i] === BigInt(PROC_STATUS_ABANDONED);
          this.procs.set(pid, PROC_STATUS_IDLE);
          if (wasAbandoned) break;
          if (victim === m) {
            if (state !== null) state.p = -1;
          } else {
            this.thread(victim).p = -1;
          }
          break;
        }
        case 25 /* GoStatus */:
        case 48 /* GoStatusStack */:
          if (state !== null && (to[i] === GO_STATE_RUNNING || to[i] === GO_STATE_SYSCALL)) state.g = resourceId[i]!;
          break;
        case 16 /* GoStart */:
        case 15 /* GoCreateSyscall */:
          if (state !== null) state.g = resourceId[i]!;
          break;
        case 17 /* GoDestroy */:
        case 19 /* GoStop */:
        case 20 /* GoBlock */:
        case 24 /* GoSyscallEndBlocked */:
          if (state !== null) state.g = -1;
          break;
        case 45 /* GoSwitch */:
        case 46 /* GoSwitchDestroy */:
          if (state !== null) state.g = Number(args[0][i]!);
          break;
        case 18 /* GoDestroySyscall */:
          if (proc[i]! >= 0) this.procs.set(proc[i]!, PROC_STATUS_ABANDONED);
          if (state !== null) {
            state.g = -1;
            state.p = -1;
          }
          break;
        case 22 /* GoSyscallBegin */:
          if (proc[i]! >= 0) this.procs.set(proc[i]!, PROC_STATUS_SYSCALL);
          break;
        case 23 /* GoSyscallEnd */:
          if (proc[i]! >= 0) this.procs.set(proc[i]!, PROC_STATUS_RUNNING);
          break;
        default:
          break;
      }
    }
  }

  finish(): BoundarySummary {
    const summary = this.summary;
    for (const [m, state] of this.threads) summary.threadsAfter.push(m, state.p, state.g);
    summary.goroutinesAfter = this.goroutines.pairs();
    summary.procsAfter = this.procs.pairs();
    summary.tasksOpened = [...this.openTasks.values()];
    summary.tasksEnded = this.endedTasks;
    return summary;
  }
}

/**
 * Go numbers a generation's strings and stacks densely from 1, so the whole tables are read by
 * walking ids until a long run of misses (a missing id reads as "" or an empty stack, which is
 * what the sequential reader shows for it too). Cheaper than marking the ids every event uses.
 */
const MISSES_BEFORE_END = 4096;
function generationTables(decoder: GenerationDecoder): Pick<GenerationTablesData, 'strings' | 'stacks'> {
  const strings: Array<[number, string]> = [];
  for (let id = 1, misses = 0; misses < MISSES_BEFORE_END; id++) {
    const text = decoder.stringAt(id);
    if (text === '') misses++;
    else {
      misses = 0;
      strings.push([id, text]);
    }
  }
  const stacks: Array<[number, StackFrame[]]> = [];
  for (let id = 1, misses = 0; misses < MISSES_BEFORE_END; id++) {
    const frames = decoder.stack(id).frames;
    if (frames.length === 0) misses++;
    else {
      misses = 0;
      stacks.push([id, [...frames]]);
    }
  }
  return { strings, stacks };
}

const decodeColumns: TaskHandler = async (payload, context) => {
  const task = payload as DecodeColumnsTask;
  const version = context.state.get('version') as SupportedVersion;
  // A decoder carries state from one generation to the next; that is only right for the generation
  // right after the one it decoded last. Otherwise: the decoder restarted, warmed up on the previous
  // generation when asked (exact from-states and contexts at the cost of decoding it twice).
  const decoder = context.state.get('decoder') as GenerationDecoder;
  const continues = context.state.get('lastPosition') === task.position - 1 && task.position > 0;
  if (!continues) {
    decoder.restart();
    context.state.set('lastPosition', -1);
    if (task.warmUp !== null) {
      const warm = await readBytes(task, task.warmUp, context, version);
      decoder.load({ gen: task.warmUp.gen, fileOffset: task.warmUp.offset, parts: [warm], byteLength: warm.length, batchCount: task.warmUp.batchCount });
      while (decoder.next() !== null);
    }
  }
  const warmedUp = continues || task.warmUp !== null;
  const bytes = await readBytes(task, task, context, version);
  const scanner = new GenerationScanner(task.position > 0 && !warmedUp);
  const batches: GenerationColumns['batches'] = [];
  let events = 0;
  const consume = (batch: EventBatch) => {
    scanner.scan(batch, (id) => decoder.string(id));
    batches.push({ length: batch.length, buffer: packBatch(batch) });
    events += batch.length;
  };
  context.state.set('lastPosition', -1);
  decoder.load({ gen: task.gen, fileOffset: task.offset, parts: [bytes], byteLength: bytes.length, batchCount: task.batchCount });
  for (let batch = decoder.next(); batch !== null; batch = decoder.next()) consume(batch);
  if (task.isLast) consume(decoder.bareSync());
  context.state.set('lastPosition', task.position);
  const summary = scanner.finish();
  const tables: GenerationTablesData = {
    ...generationTables(decoder),
    extraStrings: [...scanner.extraStrings].map((id) => [id, decoder.extraString(BigInt(id))]),
    sync: scanner.hasSyncDetails ? decoder.syncDetails() : null,
  };
  const result: GenerationColumns = { position: task.position, gen: task.gen, warmedUp, batches, events, tables, summary };
  return new TransferringResult(result, batches.map((b) => b.buffer));
};

export const handlers: Record<string, TaskHandler> = { decodeColumns };
