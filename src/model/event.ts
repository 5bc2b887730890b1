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

export interface EventInit {
  kindCode: number;
  wireType: number;
  time: bigint;
  goroutine: number;
  proc: number;
  thread: number;
  stack: Stack | null;
  size: number;
  transition?: StateTransition;
  range?: RangeInfo;
  task?: TaskInfo;
  region?: RegionInfo;
  log?: LogInfo;
  metric?: MetricInfo;
  label?: string;
  experimental?: ExperimentalInfo;
  sync?: SyncInfo;
}

export class Event {
  /** Go's EventKind number. */
  readonly kindCode: number;
  /** Wire event type that produced it (255: a Sync made by the reader). */
  readonly wireType: number;
  /** Time in ns, exact. */
  readonly timeExact: bigint;
  /** Goroutine, proc and thread of the scheduling context before the event (-1 = none). */
  readonly goroutine: number;
  readonly proc: number;
  readonly thread: number;
  /** The event's own stack, or null. */
  readonly stack: Stack | null;
  /** Encoded size in the file, bytes (0 for events the reader makes up). */
  readonly size: number;
  readonly transition: StateTransition | undefined;
  readonly range: RangeInfo | undefined;
  readonly task: TaskInfo | undefined;
  readonly region: RegionInfo | undefined;
  readonly log: LogInfo | undefined;
  readonly metric: MetricInfo | undefined;
  /** Label text (kind Label; the resource is the event's goroutine). */
  readonly label: string | undefined;
  readonly experimental: ExperimentalInfo | undefined;
  readonly sync: SyncInfo | undefined;

  constructor(init: EventInit) {
    this.kindCode = init.kindCode;
    this.wireType = init.wireType;
    this.timeExact = init.time;
    this.goroutine = init.goroutine;
    this.proc = init.proc;
    this.thread = init.thread;
    this.stack = init.stack;
    this.size = init.size;
    this.transition = init.transition;
    this.range = init.range;
    this.task = init.task;
    this.region = init.region;
    this.log = init.log;
    this.metric = init.metric;
    this.label = init.label;
    this.experimental = init.experimental;
    this.sync = init.sync;
  }

  /** Go's EventKind name, e.g. "StateTransition". */
  get kind(): EventKindName {
    return EVENT_KIND_NAMES[this.kindCode] ?? 'Bad';
  }

  /** Time in ns as a number (exact below 2^53). */
  get time(): number {
    return Number(this.timeExact);
  }

  /** Wire event name, e.g. "GoBlock". */
  get wireTypeName(): string {
    return wireTypeName(this.wireType);
  }

  /** Exactly Go's Event.String(). */
  toString(): string {
    let s = `M=${this.thread} P=${this.proc} G=${this.goroutine} ${this.kind} Time=${this.timeExact}`;
    if (this.metric) {
      s += ` Name=${goQuote(this.metric.name)} Value=Value{Uint64(${this.metric.value})}`;
    } else if (this.label !== undefined) {
      s += ` Label=${goQuote(this.label)} Resource=Goroutine(${this.goroutine})`;
    } else if (this.range) {
      s += ` Name=${goQuote(this.range.name)} Scope=${resourceString(this.range.scope)}`;
      if (this.kind === 'RangeEnd') {
        s += ` Attributes=[${this.range.attributes.map((a) => `${goQuote(a.name)}=Value{Uint64(${a.value})}`).join(' ')}]`;
      }
    } else if (this.task) {
      s += ` ID=${this.task.id} Parent=${this.task.parent} Type=${goQuote(this.task.type)}`;
    } else if (this.region) {
      s += ` Task=${this.region.task} Type=${goQuote(this.region.type)}`;
    } else if (this.log) {
      s += ` Task=${this.log.task} Category=${goQuote(this.log.category)} Message=${goQuote(this.log.message)}`;
    } else if (this.transition) {
      const t = this.transition;
      if (t.resource.kind === 'Goroutine') s += ` GoID=${t.resource.id} ${t.from}->${t.to}`;
      else if (t.resource.kind === 'Proc') s += ` ProcID=${t.resource.id} ${t.from}->${t.to}`;
      s += ` Reason=${goQuote(t.reason)}`;
      if (t.stack) s += `\nTransitionStack=\n${stackString(t.stack)}`;
    } else if (this.experimental) {
      s += ` Name=${this.experimental.name} Args=[${this.experimental.args.map((a) => `${a.name}=Value{Uint64(${a.value})}`).join(', ')}]`;
    } else if (this.sync) {
      s += ` N=${this.sync.n}`;
      const c = this.sync.clockSnapshot;
      if (c) s += ` Trace=${c.trace} Mono=${c.mono} Wall=${rfc3339Nano(c.wallSeconds, c.wallNanoseconds)}`;
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
