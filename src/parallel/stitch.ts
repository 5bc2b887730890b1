// The merge of independently decoded generations: what a sequential reader carries from one
// generation into the next, applied to a generation a worker decoded on its own, and checked.
//
// A worker's restarted decoder treats its generation as a first one. The only differences from the
// sequential reader's events (measured on every fixture, see docs/parallel.md) are:
//   - Sync.N counts from the start of the trace;
//   - Go's timestamp fix-up (an event never earlier than lastTs + 1) continues across generations;
//   - a goroutine or proc restated by GoStatus/ProcStatus has a from-state (the status it ended the
//     previous generation with; a proc never seen before: NotExist), not Undetermined;
//   - a thread's context (proc, goroutine) before the generation sets it is the one it ended with;
//   - a task ended here but begun in an earlier generation has its parent and name.
// The worker reports exactly those rows and what its generation leaves behind (trace-task.ts); this
// file patches the rows, checks that each generation starts where the previous one ended (the
// checks Go's reader makes on the same transitions) and folds the end state forward. Work on the
// main thread is proportional to those rows and to the entities a generation mentions.
import { EventBatch, GoState, ProcState, type GenerationTables, type Stack, type StackFrame, type SyncInfo } from '../model/index.js';
import type { GenerationExtent } from './generation-index.js';
import { GenerationBoundaryError, type BoundaryCheck } from './errors.js';
import { viewsOver } from './packed-columns.js';
import { CARRIED, type GenerationColumns, type GenerationTablesData } from './trace-task.js';

const WIRE_PROC_STATUS = 13;
const WIRE_GO_STATUS = 25;
const WIRE_GO_STATUS_STACK = 48;
const NO_TASK = 0xffffffffffffffffn;
const GO_STATUS_NAMES = ['Bad', 'Runnable', 'Running', 'Syscall', 'Waiting'];
const PROC_STATUS_NAMES = ['Bad', 'Running', 'Idle', 'Syscall', 'Bad'];

function goStatusToState(status: number): number {
  return [GoState.Undetermined, GoState.Runnable, GoState.Running, GoState.Syscall, GoState.Waiting][status] ?? GoState.Undetermined;
}

function goStateToStatusName(state: number): string {
  return ({ [GoState.Runnable]: 'Runnable', [GoState.Running]: 'Running', [GoState.Syscall]: 'Syscall', [GoState.Waiting]: 'Waiting' } as Record<number, string>)[state] ?? 'Bad';
}

function procStatusToState(status: number): number {
  return [ProcState.Undetermined, ProcState.Running, ProcState.Idle, ProcState.Running, ProcState.Idle][status] ?? ProcState.Undetermined;
}

/** A generation's strings, stacks and sync details, shipped from the worker that decoded it. */
export class ShippedTables implements GenerationTables {
  private readonly strings: Map<number, string>;
  private readonly extraStrings: Map<number, string>;
  private readonly frames: Map<number, StackFrame[]>;
  private readonly stacks = new Map<number, Stack>();
  private readonly sync: Omit<SyncInfo, 'n'>;
  // Names of tasks begun in earlier generations get ids far above the worker's own extra strings.
  private nextExtra = 2 ** 40;

  constructor(data: GenerationTablesData) {
    this.strings = new Map(data.strings);
    this.extraStrings = new Map(data.extraStrings);
    this.frames = new Map(data.stacks);
    this.sync = data.sync ?? { clockSnapshot: null, experimentalBatches: [] };
  }

  string(id: bigint): string {
    return this.strings.get(Number(id)) ?? '';
  }

  stringAt(id: number): string {
    return this.strings.get(id) ?? '';
  }

  extraString(id: bigint): string {
    return this.extraStrings.get(Number(id)) ?? '';
  }

  stack(id: number): Stack {
    let stack = this.stacks.get(id);
    if (stack === undefined) {
      stack = { id, frames: this.frames.get(id) ?? [] };
      this.stacks.set(id, stack);
    }
    return stack;
  }

  syncDetails(): Omit<SyncInfo, 'n'> {
    return this.sync;
  }

  /** Registers a carried task name; returns its extra-string id. */
  addExtraString(text: string): number {
    const id = this.nextExtra++;
    this.extraStrings.set(id, text);
    return id;
  }
}

interface ThreadContext {
  p: number;
  g: number;
}

/** What the sequential reader knows between generations, folded forward generation by generation. */
export class GenerationStitcher {
  private readonly threads = new Map<number, ThreadContext>();
  /** Live goroutines → GoState at the end of the last merged generation. */
  private readonly goroutines = new Map<number, number>();
  /** Procs ever seen → wire status. */
  private readonly procs = new Map<number, number>();
  private readonly tasks = new Map<bigint, { parent: bigint; name: string }>();
  private lastTime: bigint | null = null;
  private syncs = 0;
  private previous: GenerationExtent | null = null;

  /** Time of the last event handed out (the bare Sync before an error is one past it). */
  get lastEventTime(): bigint {
    return this.lastTime ?? 0n;
  }

  get syncCount(): number {
    return this.syncs;
  }

  /** Checks and patches one generation (in generation order) and returns its batches. */
  stitch(result: GenerationColumns, extent: GenerationExtent): EventBatch[] {
    const tables = new ShippedTables(result.tables);
    const batches: EventBatch[] = [];
    const starts: number[] = [];
    let rows = 0;
    for (const packed of result.batches) {
      starts.push(rows);
      rows += packed.length;
      batches.push(new EventBatch(packed.length, viewsOver(packed.buffer, packed.length), tables, extent.gen));
    }
    const at = (row: number): [EventBatch, number] => {
      let lo = 0;
      let hi = starts.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (starts[mid]! <= row) lo = mid;
        else hi = mid - 1;
      }
      return [batches[lo]!, row - starts[lo]!];
    };
    const fail = (check: BoundaryCheck, reason: string): never => {
      throw new GenerationBoundaryError(check, { offset: extent.offset, generation: extent.gen, previousGeneration: this.previous?.gen, reason });
    };
    const summary = result.summary;
    const later = this.previous !== null;

    if (later && extent.ticksPerSecond > 0n && this.previous!.ticksPerSecond > 0n && extent.startNs < this.previous!.startNs) {
      fail('clock', `generation ${extent.gen} starts at ${extent.startNs} ns, before generation ${this.previous!.gen} (${this.previous!.startNs} ns): the trace clock went backwards`);
    }

    if (later) {
      for (const row of summary.statusRows) {
        const [batch, i] = at(row);
        const type = batch.wireType[i]!;
        if (type === WIRE_GO_STATUS || type === WIRE_GO_STATUS_STACK) {
          const id = Number(batch.args[0][i]!);
          const status = Number(batch.args[2][i]! & 0xffffffffn);
          const known = this.goroutines.get(id);
          if (known === undefined) {
            fail('goroutine-status', `found goroutine status for new goroutine after the first generation: id=${id} status=${GO_STATUS_NAMES[status] ?? 'Bad'}`);
          } else if (known !== goStatusToState(status)) {
            fail('goroutine-status', `inconsistent status for goroutine ${id}: old ${goStateToStatusName(known)} vs. new ${GO_STATUS_NAMES[status] ?? 'Bad'}`);
          }
          const state = batch.to[i]!;
          batch.from[i] = state;
          batch.args[2][i] = (BigInt(state) << 32n) | BigInt(status);
        } else if (type === WIRE_PROC_STATUS) {
          const id = Number(batch.args[0][i]!);
          const status = Number(batch.args[1][i]!);
          const known = this.procs.get(id);
          let from: number = ProcState.NotExist;
          if (known !== undefined) {
            if (known !== status) fail('proc-status', `inconsistent status for proc ${id}: old ${PROC_STATUS_NAMES[known] ?? 'Bad'} vs. new ${PROC_STATUS_NAMES[status] ?? 'Bad'}`);
            from = procStatusToState(status);
          }
          batch.from[i] = from;
          batch.args[2][i] = BigInt(from);
        }
      }
      for (let k = 0; k < summary.procPrefix.length; k += 2) {
        const before = this.threads.get(summary.procPrefix[k + 1]!);
        if (before !== undefined && before.p !== -1) {
          const [batch, i] = at(summary.procPrefix[k]!);
          batch.proc[i] = before.p;
        }
      }
      for (let k = 0; k < summary.goroutinePrefix.length; k += 2) {
        const before = this.threads.get(summary.goroutinePrefix[k + 1]!);
        if (before !== undefined && before.g !== -1) {
          const [batch, i] = at(summary.goroutinePrefix[k]!);
          batch.goroutine[i] = before.g;
        }
      }
      for (const row of summary.syscallStatusRows) {
        const [batch, i] = at(row);
        const before = this.threads.get(batch.thread[i]!);
        if (before === undefined) continue;
        const id = Number(batch.args[0][i]!);
        if (before.g !== id) fail('syscall-thread', `inconsistent thread for syscalling goroutine ${id}: thread has goroutine ${before.g}`);
        batch.goroutine[i] = before.g;
      }
      for (const row of summary.openTaskEndRows) {
        const [batch, i] = at(row);
        const task = this.tasks.get(batch.args[0][i]!);
        if (task === undefined || batch.args[2][i] !== NO_TASK) continue;
        batch.args[2][i] = task.parent;
        batch.args[3][i] = BigInt(tables.addExtraString(task.name));
      }
    }

    for (const row of summary.syncRows) {
      const [batch, i] = at(row);
      batch.args[0][i] = BigInt(++this.syncs);
    }
    // Go's fix-up, continued: each event at least 1 ns after the one before it. Within the
    // generation the worker applied it already, so only a prefix can change.
    let last = this.lastTime;
    if (last !== null) {
      outer: for (const batch of batches) {
        for (let i = 0; i < batch.length; i++) {
          const t = batch.time[i]!;
          if (t > last) break outer;
          last = last + 1n;
          batch.time[i] = last;
          batch.timeNs[i] = Number(last);
        }
      }
    }
    for (let b = batches.length - 1; b >= 0; b--) {
      if (batches[b]!.length > 0) {
        this.lastTime = batches[b]!.time[batches[b]!.length - 1]!;
        break;
      }
    }

    // Fold forward what this generation leaves behind.
    const threadsAfter = summary.threadsAfter;
    for (let k = 0; k < threadsAfter.length; k += 3) {
      const m = threadsAfter[k]!;
      const before = this.threads.get(m) ?? { p: -1, g: -1 };
      const p = threadsAfter[k + 1]!;
      const g = threadsAfter[k + 2]!;
      this.threads.set(m, { p: p === CARRIED ? before.p : p, g: g === CARRIED ? before.g : g });
    }
    const goroutinesAfter = summary.goroutinesAfter;
    for (let k = 0; k < goroutinesAfter.length; k += 2) {
      if (goroutinesAfter[k + 1] === GoState.NotExist) this.goroutines.delete(goroutinesAfter[k]!);
      else this.goroutines.set(goroutinesAfter[k]!, goroutinesAfter[k + 1]!);
    }
    const procsAfter = summary.procsAfter;
    for (let k = 0; k < procsAfter.length; k += 2) this.procs.set(procsAfter[k]!, procsAfter[k + 1]!);
    for (const id of summary.tasksEnded) this.tasks.delete(id);
    for (const [id, parent, name] of summary.tasksOpened) this.tasks.set(id, { parent, name });
    this.previous = extent;
    return batches;
  }
}
