// Event objects: one decoded event with everything resolved (strings, stack frames, sync data), so
// it stays valid after its generation's tables are gone. toString() prints exactly what Go's
// Event.String() prints, which is what `go tool trace -d=parsed` shows.
import {
  EVENT_KIND_NAMES,
  EXPERIMENTAL_ARGS,
  GO_STATE_NAMES,
  PROC_STATE_NAMES,
  wireTypeName,
  type EventKindName,
  type GoStateName,
  type ProcStateName,
} from './columns.js';
import { goQuote } from './quote.js';

export interface StackFrame {
  pc: bigint;
  func: string;
  file: string;
  line: number;
}

/** A stack: frames leaf first. A stack with no frames can exist (stack id 0 on a CPU sample). */
export interface Stack {
  id: number;
  frames: readonly StackFrame[];
}

export interface ResourceRef {
  kind: 'None' | 'Goroutine' | 'Proc' | 'Thread';
  id: number;
}

export interface StateTransition {
  resource: ResourceRef;
  from: GoStateName | ProcStateName;
  to: GoStateName | ProcStateName;
  reason: string;
  stack: Stack | null;
}

export interface RangeInfo {
  name: string;
  scope: ResourceRef;
  attributes: ReadonlyArray<{ name: string; value: bigint }>;
}

export interface TaskInfo {
  id: bigint;
  parent: bigint;
  type: string;
}

export interface RegionInfo {
  task: bigint;
  type: string;
}

export interface LogInfo {
  task: bigint;
  category: string;
  message: string;
}

export interface MetricInfo {
  name: string;
  value: bigint;
}

export interface ExperimentalInfo {
  name: string;
  experiment: string;
  args: ReadonlyArray<{ name: string; value: bigint }>;
}

export interface ClockSnapshot {
  /** Trace clock, ns. */
  trace: bigint;
  /** Runtime monotonic clock, ns. */
  mono: bigint;
  /** Wall clock: seconds and nanoseconds since the Unix epoch. */
  wallSeconds: bigint;
  wallNanoseconds: bigint;
}

export interface ExperimentalBatch {
  experiment: string;
  thread: number;
  data: Uint8Array;
}

export interface SyncInfo {
  n: number;
  clockSnapshot: ClockSnapshot | null;
  experimentalBatches: readonly ExperimentalBatch[];
}

/** Kind-specific content of an event (at most one applies, chosen by the kind). */
export type EventDetail =
  | { kind: 'range'; value: RangeInfo }
  | { kind: 'task'; value: TaskInfo }
  | { kind: 'region'; value: RegionInfo }
  | { kind: 'log'; value: LogInfo }
  | { kind: 'metric'; value: MetricInfo }
  | { kind: 'label'; value: string }
  | { kind: 'experimental'; value: ExperimentalInfo }
  | { kind: 'sync'; value: SyncInfo }
  | null;

const TRANSITION_NONE = 0;
const TRANSITION_GOROUTINE = 1;
const TRANSITION_PROC = 2;

// Codes packed into Event.code: kind (4 bits; 15 reads as 'Bad'), wire type (8 bits), and for a
// state transition the resource kind (2 bits) and the from/to state codes (4 bits each; 15 reads as
// 'Bad'). Fewer fields make a smaller object, and object size is most of what an event costs.
const WIRE_SHIFT = 4;
const TRANSITION_SHIFT = 12;
const FROM_SHIFT = 14;
const TO_SHIFT = 18;
const FOUR_BITS = 15;

/**
 * One event of the trace, fully resolved (strings, stack frames, sync data): it stays valid after
 * its generation and batch are gone. Objects are built per event, so the constructor takes only
 * primitives and already-shared objects (stacks are cached per generation); the nested objects of
 * state transitions, the most common kind, are made only when asked for.
 */
export class Event {
  /** Time in ns as a number (exact below 2^53 ns; see timeExact). */
  readonly time: number;
  /** Goroutine, proc and thread of the scheduling context before the event (-1 = none). */
  readonly goroutine: number;
  readonly proc: number;
  readonly thread: number;
  /** The event's own stack, or null. */
  readonly stack: Stack | null;
  /** Encoded size in the file, bytes (0 for events the reader makes up). */
  readonly size: number;
  private readonly code: number;
  private readonly exactTime: bigint | undefined;
  private readonly detail: EventDetail;
  // A state transition is kept flat (no second object per event); `transition` builds the object.
  private readonly transitionId: number;
  private readonly transitionReason: string;
  private readonly transitionStack: Stack | null;
  private transitionObject: StateTransition | undefined;

  constructor(
    kindCode: number,
    wireType: number,
    time: number,
    exactTime: bigint | undefined,
    goroutine: number,
    proc: number,
    thread: number,
    stack: Stack | null,
    size: number,
    detail: EventDetail,
    transitionKind = TRANSITION_NONE,
    transitionId = 0,
    transitionFrom = 0,
    transitionTo = 0,
    transitionReason = '',
    transitionStack: Stack | null = null,
  ) {
    this.time = time;
    this.goroutine = goroutine;
    this.proc = proc;
    this.thread = thread;
    this.stack = stack;
    this.size = size;
    this.code =
      Math.min(kindCode, FOUR_BITS) |
      ((wireType & 0xff) << WIRE_SHIFT) |
      (transitionKind << TRANSITION_SHIFT) |
      (Math.min(transitionFrom, FOUR_BITS) << FROM_SHIFT) |
      (Math.min(transitionTo, FOUR_BITS) << TO_SHIFT);
    this.exactTime = exactTime;
    this.detail = detail;
    this.transitionId = transitionId;
    this.transitionReason = transitionReason;
    this.transitionStack = transitionStack;
    this.transitionObject = undefined;
  }

  /** A StateTransition event of goroutine `id` (the arguments after `detail` of the constructor). */
  static readonly GOROUTINE = TRANSITION_GOROUTINE;
  /** A StateTransition event of proc `id`. */
  static readonly PROC = TRANSITION_PROC;

  /** Go's EventKind number. */
  get kindCode(): number {
    return this.code & FOUR_BITS;
  }

  /** Wire event type that produced it (255: a Sync made by the reader). */
  get wireType(): number {
    return (this.code >> WIRE_SHIFT) & 0xff;
  }

  private get transitionKind(): number {
    return (this.code >> TRANSITION_SHIFT) & 3;
  }

  private get transitionFrom(): GoStateName | ProcStateName {
    const from = (this.code >> FROM_SHIFT) & FOUR_BITS;
    return this.transitionKind === TRANSITION_GOROUTINE ? goStateName(from) : procStateName(from);
  }

  private get transitionTo(): GoStateName | ProcStateName {
    const to = (this.code >> TO_SHIFT) & FOUR_BITS;
    return this.transitionKind === TRANSITION_GOROUTINE ? goStateName(to) : procStateName(to);
  }

  /** Go's EventKind name, e.g. "StateTransition". */
  get kind(): EventKindName {
    return EVENT_KIND_NAMES[this.kindCode] ?? 'Bad';
  }

  /** Time in ns, exact (int64 semantics). */
  get timeExact(): bigint {
    return this.exactTime ?? BigInt(this.time);
  }

  /** Wire event name, e.g. "GoBlock". */
  get wireTypeName(): string {
    return wireTypeName(this.wireType);
  }

  get transition(): StateTransition | undefined {
    if (this.transitionObject === undefined && this.transitionKind !== TRANSITION_NONE) {
      this.transitionObject = {
        resource: { kind: this.transitionKind === TRANSITION_GOROUTINE ? 'Goroutine' : 'Proc', id: this.transitionId },
        from: this.transitionFrom,
        to: this.transitionTo,
        reason: this.transitionReason,
        stack: this.transitionStack,
      };
    }
    return this.transitionObject;
  }

  get range(): RangeInfo | undefined {
    return this.detail?.kind === 'range' ? this.detail.value : undefined;
  }
  get task(): TaskInfo | undefined {
    return this.detail?.kind === 'task' ? this.detail.value : undefined;
  }
  get region(): RegionInfo | undefined {
    return this.detail?.kind === 'region' ? this.detail.value : undefined;
  }
  get log(): LogInfo | undefined {
    return this.detail?.kind === 'log' ? this.detail.value : undefined;
  }
  get metric(): MetricInfo | undefined {
    return this.detail?.kind === 'metric' ? this.detail.value : undefined;
  }
  /** Label text (kind Label; the resource is the event's goroutine). */
  get label(): string | undefined {
    return this.detail?.kind === 'label' ? this.detail.value : undefined;
  }
  get experimental(): ExperimentalInfo | undefined {
    return this.detail?.kind === 'experimental' ? this.detail.value : undefined;
  }
  get sync(): SyncInfo | undefined {
    return this.detail?.kind === 'sync' ? this.detail.value : undefined;
  }

  /** Exactly Go's Event.String(). */
  toString(): string {
    let s = `M=${this.thread} P=${this.proc} G=${this.goroutine} ${this.kind} Time=${this.timeExact}`;
    const d = this.detail;
    if (this.transitionKind !== TRANSITION_NONE) {
      s += this.transitionKind === TRANSITION_GOROUTINE ? ` GoID=${this.transitionId}` : ` ProcID=${this.transitionId}`;
      s += ` ${this.transitionFrom}->${this.transitionTo} Reason=${goQuote(this.transitionReason)}`;
      if (this.transitionStack) s += `\nTransitionStack=\n${stackString(this.transitionStack)}`;
    } else if (d !== null) {
      switch (d.kind) {
        case 'metric':
          s += ` Name=${goQuote(d.value.name)} Value=Value{Uint64(${d.value.value})}`;
          break;
        case 'label':
          s += ` Label=${goQuote(d.value)} Resource=Goroutine(${this.goroutine})`;
          break;
        case 'range':
          s += ` Name=${goQuote(d.value.name)} Scope=${resourceString(d.value.scope)}`;
          if (this.kind === 'RangeEnd') {
            s += ` Attributes=[${d.value.attributes.map((a) => `${goQuote(a.name)}=Value{Uint64(${a.value})}`).join(' ')}]`;
          }
          break;
        case 'task':
          s += ` ID=${d.value.id} Parent=${d.value.parent} Type=${goQuote(d.value.type)}`;
          break;
        case 'region':
          s += ` Task=${d.value.task} Type=${goQuote(d.value.type)}`;
          break;
        case 'log':
          s += ` Task=${d.value.task} Category=${goQuote(d.value.category)} Message=${goQuote(d.value.message)}`;
          break;
        case 'experimental':
          s += ` Name=${d.value.name} Args=[${d.value.args.map((a) => `${a.name}=Value{Uint64(${a.value})}`).join(', ')}]`;
          break;
        case 'sync': {
          s += ` N=${d.value.n}`;
          const c = d.value.clockSnapshot;
          if (c) s += ` Trace=${c.trace} Mono=${c.mono} Wall=${rfc3339Nano(c.wallSeconds, c.wallNanoseconds)}`;
          break;
        }
      }
    }
    if (this.stack) s += `\nStack=\n${stackString(this.stack)}`;
    return s;
  }
}

function resourceString(r: ResourceRef): string {
  return r.kind === 'None' ? 'None' : `${r.kind}(${r.id})`;
}

function stackString(stack: Stack): string {
  let s = '';
  for (const f of stack.frames) s += `\t${f.func} @ 0x${f.pc.toString(16)}\n\t\t${f.file}:${f.line}\n`;
  return s;
}

export function goStateName(code: number): GoStateName {
  return GO_STATE_NAMES[code] ?? ('Bad' as GoStateName);
}

export function procStateName(code: number): ProcStateName {
  return PROC_STATE_NAMES[code] ?? ('Bad' as ProcStateName);
}

export function experimentalArgNames(type: number): readonly string[] {
  return EXPERIMENTAL_ARGS[type] ?? [];
}

/** Go's time.Time.Format(time.RFC3339Nano) in the process's local zone. */
function rfc3339Nano(seconds: bigint, nanos: bigint): string {
  // Go normalises nsec outside [0, 1e9) into seconds.
  const totalNs = seconds * 1_000_000_000n + nanos;
  let sec = totalNs / 1_000_000_000n;
  let ns = totalNs % 1_000_000_000n;
  if (ns < 0n) {
    ns += 1_000_000_000n;
    sec -= 1n;
  }
  const date = new Date(Number(sec) * 1000);
  const offsetMinutes = -date.getTimezoneOffset();
  const local = new Date(date.getTime() + offsetMinutes * 60_000);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  let text = `${pad(local.getUTCFullYear(), 4)}-${pad(local.getUTCMonth() + 1)}-${pad(local.getUTCDate())}T${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())}`;
  if (ns !== 0n) text += `.${ns.toString().padStart(9, '0').replace(/0+$/, '')}`;
  if (offsetMinutes === 0) return `${text}Z`;
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return `${text}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}
