// The EventBatch column layout, mirrored from assembly/columns.ts (change both together).
//
// Every column holds one value per event, index i for the i-th event of the batch:
//
// | column    | array             | meaning                                                                      |
// | --------- | ----------------- | ---------------------------------------------------------------------------- |
// | time      | BigInt64Array     | event time in ns (exact int64)                                               |
// | args      | BigUint64Array ×4 | the wire arguments after the timestamp, as Go's ordering leaves them         |
// | timeNs    | Float64Array      | event time in ns as a number (exact below 2^53 ns ≈ 104 days of uptime)      |
// | goroutine | Float64Array      | goroutine of the scheduling context before the event (-1 = none)            |
// | proc      | Float64Array      | proc of the context (-1 = none)                                              |
// | thread    | Float64Array      | thread (M) of the context (-1 = none)                                        |
// | stack     | Float64Array      | the event's own stack id in this generation (-1 = none)                     |
// | transitionStack | Float64Array | stack of the transitioning goroutine (-1 = none; GoCreate: the new goroutine's start) |
// | resourceId | Float64Array     | StateTransition: goroutine or proc id; ranges: the scope's id               |
// | reason    | Float64Array      | StateTransition reason string id (0 = "")                                    |
// | kind      | Uint8Array        | EventKind (Go's numbering, see EventKind)                                    |
// | wireType  | Uint8Array        | wire event type (see WireType); 255 = a Sync made by the reader              |
// | resourceKind | Uint8Array     | 0 none, 1 goroutine, 2 proc (transition resource or range scope)           |
// | from, to  | Uint8Array        | StateTransition states: GoState or ProcState by resourceKind                 |
// | size      | Uint32Array       | encoded size of the event in the file, in bytes (0 for events the reader makes) |
//
// Batches: one JS→WASM call fills at most `eventsPerBatch` rows (default 4096); `length` says how many.
// The views alias WASM memory and are valid until the next call on the decoder. A column may be filled
// on its first read in a batch (EventBatch's getters ask the decoder; see assembly/columns.ts): the
// values are the same either way. Times are strictly
// increasing across batches and generations (Go's +1 ns fix-up is applied).
//
// Events the reader makes have size 0 and these wire types: a Sync is 255 (args[0] = N, args[1] = 1
// when the generation's clock snapshot / experimental batches apply, 0 for the Sync at the end or
// before an error); a coroutine switch adds a GoBlock (20, reason id 0, no stack) or GoDestroy (17)
// for the switching goroutine and a GoStart (16) of the target; GoDestroySyscall with a P is preceded
// by a ProcSteal (12). CPU samples are wire type 7 with stack = their stack id (0 = empty stack).
// Arguments Go rewrites travel in args: ProcSteal args[3] = the P's status before the steal;
// ProcStatus args[2] = the old ProcState; GoStatus args[2] = old GoState << 32 | wire status;
// STWEnd args[0] = the kind string id of its STWBegin; UserTaskBegin args[1] = parent (NoTask for 0);
// UserTaskEnd args[2] = parent and args[3] = an id for GenerationTables.extraString (the task's name,
// carried across generations as text).

export const enum Column {
  Time = 0,
  Arg0 = 1,
  Arg1 = 2,
  Arg2 = 3,
  Arg3 = 4,
  TimeNs = 5,
  Goroutine = 6,
  Proc = 7,
  Thread = 8,
  Stack = 9,
  TransitionStack = 10,
  ResourceId = 11,
  Reason = 12,
  Kind = 13,
  WireType = 14,
  ResourceKind = 15,
  From = 16,
  To = 17,
  Size = 18,
}

export const COLUMN_COUNT = 19;

/** Go's EventKind numbering. */
export const EventKind = {
  Bad: 0,
  Sync: 1,
  Metric: 2,
  Label: 3,
  StackSample: 4,
  RangeBegin: 5,
  RangeActive: 6,
  RangeEnd: 7,
  TaskBegin: 8,
  TaskEnd: 9,
  RegionBegin: 10,
  RegionEnd: 11,
  Log: 12,
  StateTransition: 13,
  Experimental: 14,
} as const;
export type EventKindName = keyof typeof EventKind;
export const EVENT_KIND_NAMES: readonly EventKindName[] = Object.keys(EventKind) as EventKindName[];

/** Go's GoState numbering. */
export const GoState = { Undetermined: 0, NotExist: 1, Runnable: 2, Running: 3, Waiting: 4, Syscall: 5 } as const;
export type GoStateName = keyof typeof GoState;
export const GO_STATE_NAMES: readonly GoStateName[] = Object.keys(GoState) as GoStateName[];

/** Go's ProcState numbering. */
export const ProcState = { Undetermined: 0, NotExist: 1, Running: 2, Idle: 3 } as const;
export type ProcStateName = keyof typeof ProcState;
export const PROC_STATE_NAMES: readonly ProcStateName[] = Object.keys(ProcState) as ProcStateName[];

export const ResourceKind = { None: 0, Goroutine: 1, Proc: 2, Thread: 3 } as const;
export type ResourceKindName = keyof typeof ResourceKind;

/** Wire event types (the v2 format's numbering). */
export const WireType = {
  CPUSample: 7,
  ProcsChange: 9,
  ProcStart: 10,
  ProcStop: 11,
  ProcSteal: 12,
  ProcStatus: 13,
  GoCreate: 14,
  GoCreateSyscall: 15,
  GoStart: 16,
  GoDestroy: 17,
  GoDestroySyscall: 18,
  GoStop: 19,
  GoBlock: 20,
  GoUnblock: 21,
  GoSyscallBegin: 22,
  GoSyscallEnd: 23,
  GoSyscallEndBlocked: 24,
  GoStatus: 25,
  STWBegin: 26,
  STWEnd: 27,
  GCActive: 28,
  GCBegin: 29,
  GCEnd: 30,
  GCSweepActive: 31,
  GCSweepBegin: 32,
  GCSweepEnd: 33,
  GCMarkAssistActive: 34,
  GCMarkAssistBegin: 35,
  GCMarkAssistEnd: 36,
  HeapAlloc: 37,
  HeapGoal: 38,
  GoLabel: 39,
  UserTaskBegin: 40,
  UserTaskEnd: 41,
  UserRegionBegin: 42,
  UserRegionEnd: 43,
  UserLog: 44,
  GoSwitch: 45,
  GoSwitchDestroy: 46,
  GoCreateBlocked: 47,
  GoStatusStack: 48,
  Span: 128,
  SpanAlloc: 129,
  SpanFree: 130,
  HeapObject: 131,
  HeapObjectAlloc: 132,
  HeapObjectFree: 133,
  GoroutineStack: 134,
  GoroutineStackAlloc: 135,
  GoroutineStackFree: 136,
  Sync: 255,
} as const;
export type WireTypeName = keyof typeof WireType;

const wireNames = new Map<number, WireTypeName>(
  (Object.entries(WireType) as Array<[WireTypeName, number]>).map(([name, value]) => [value, name]),
);

export function wireTypeName(type: number): string {
  return wireNames.get(type) ?? `Invalid(${type})`;
}

/** Argument names after the timestamp of the experimental events (Go's spec table). */
export const EXPERIMENTAL_ARGS: Readonly<Record<number, readonly string[]>> = {
  128: ['id', 'npages_value', 'kindclass'],
  129: ['id', 'npages_value', 'kindclass'],
  130: ['id'],
  131: ['id', 'type'],
  132: ['id', 'type'],
  133: ['id'],
  134: ['id', 'order'],
  135: ['id', 'order'],
  136: ['id'],
};

export const NO_TASK = 0xffffffffffffffffn;
