// The v2 wire-event table as data: argument counts (including the timestamp delta), which
// arguments are stack and string ids, and the high-level kind each type produces. Go's reader
// decodes every batch with the newest table whatever the file's version, and so do we.

export const EV_BATCH: u8 = 1;
export const EV_STACKS: u8 = 2;
export const EV_STACK: u8 = 3;
export const EV_STRINGS: u8 = 4;
export const EV_STRING: u8 = 5;
export const EV_CPU_SAMPLES: u8 = 6;
export const EV_CPU_SAMPLE: u8 = 7;
export const EV_FREQUENCY: u8 = 8;
export const EV_PROCS_CHANGE: u8 = 9;
export const EV_PROC_START: u8 = 10;
export const EV_PROC_STOP: u8 = 11;
export const EV_PROC_STEAL: u8 = 12;
export const EV_PROC_STATUS: u8 = 13;
export const EV_GO_CREATE: u8 = 14;
export const EV_GO_CREATE_SYSCALL: u8 = 15;
export const EV_GO_START: u8 = 16;
export const EV_GO_DESTROY: u8 = 17;
export const EV_GO_DESTROY_SYSCALL: u8 = 18;
export const EV_GO_STOP: u8 = 19;
export const EV_GO_BLOCK: u8 = 20;
export const EV_GO_UNBLOCK: u8 = 21;
export const EV_GO_SYSCALL_BEGIN: u8 = 22;
export const EV_GO_SYSCALL_END: u8 = 23;
export const EV_GO_SYSCALL_END_BLOCKED: u8 = 24;
export const EV_GO_STATUS: u8 = 25;
export const EV_STW_BEGIN: u8 = 26;
export const EV_STW_END: u8 = 27;
export const EV_GC_ACTIVE: u8 = 28;
export const EV_GC_BEGIN: u8 = 29;
export const EV_GC_END: u8 = 30;
export const EV_GC_SWEEP_ACTIVE: u8 = 31;
export const EV_GC_SWEEP_BEGIN: u8 = 32;
export const EV_GC_SWEEP_END: u8 = 33;
export const EV_GC_MARK_ASSIST_ACTIVE: u8 = 34;
export const EV_GC_MARK_ASSIST_BEGIN: u8 = 35;
export const EV_GC_MARK_ASSIST_END: u8 = 36;
export const EV_HEAP_ALLOC: u8 = 37;
export const EV_HEAP_GOAL: u8 = 38;
export const EV_GO_LABEL: u8 = 39;
export const EV_USER_TASK_BEGIN: u8 = 40;
export const EV_USER_TASK_END: u8 = 41;
export const EV_USER_REGION_BEGIN: u8 = 42;
export const EV_USER_REGION_END: u8 = 43;
export const EV_USER_LOG: u8 = 44;
export const EV_GO_SWITCH: u8 = 45;
export const EV_GO_SWITCH_DESTROY: u8 = 46;
export const EV_GO_CREATE_BLOCKED: u8 = 47;
export const EV_GO_STATUS_STACK: u8 = 48;
export const EV_EXPERIMENTAL_BATCH: u8 = 49;
export const EV_SYNC: u8 = 50;
export const EV_CLOCK_SNAPSHOT: u8 = 51;
export const EV_END_OF_GENERATION: u8 = 52;
export const EV_FIRST_EXPERIMENTAL: u8 = 128;
export const EV_LAST_EXPERIMENTAL: u8 = 136;
/** Reader-made Sync events carry this type (Go uses ^EventType(0) too). */
export const EV_READER_SYNC: u8 = 255;
export const SPEC_COUNT: i32 = 137;

// High-level kinds (Go's EventKind).
export const KIND_BAD: u8 = 0;
export const KIND_SYNC: u8 = 1;
export const KIND_METRIC: u8 = 2;
export const KIND_LABEL: u8 = 3;
export const KIND_STACK_SAMPLE: u8 = 4;
export const KIND_RANGE_BEGIN: u8 = 5;
export const KIND_RANGE_ACTIVE: u8 = 6;
export const KIND_RANGE_END: u8 = 7;
export const KIND_TASK_BEGIN: u8 = 8;
export const KIND_TASK_END: u8 = 9;
export const KIND_REGION_BEGIN: u8 = 10;
export const KIND_REGION_END: u8 = 11;
export const KIND_LOG: u8 = 12;
export const KIND_STATE_TRANSITION: u8 = 13;
export const KIND_EXPERIMENTAL: u8 = 14;

// argument count including dt for timed events; 0 where the type is not a timed event (the
// untimed records — batch header, stacks, strings, CPU samples, frequency, experimental batch —
// have their own layouts, read in generation.ts): one lookup per decoded event
const TIMED_ARGS: StaticArray<u8> = new StaticArray<u8>(256);
// 1-based index (Go's convention, counting dt) of the event's own stack argument; 0 = none
const OWN_STACK: StaticArray<u8> = new StaticArray<u8>(256);
// 1-based index of a second stack argument (GoCreate's new_stack); 0 = none
const SECOND_STACK: StaticArray<u8> = new StaticArray<u8>(256);
// up to two 1-based string argument indices
const STRING1: StaticArray<u8> = new StaticArray<u8>(256);
const STRING2: StaticArray<u8> = new StaticArray<u8>(256);
const KIND: StaticArray<u8> = new StaticArray<u8>(256);
// the "Begin" type a range-ending or -active type pairs with (Go's StartEv)
const START_EV: StaticArray<u8> = new StaticArray<u8>(256);
// nonzero when an event of this type refers to a stack or string that must exist (validateTableIDs)
const HAS_TABLE_REFS: StaticArray<u8> = new StaticArray<u8>(256);
// Go's spec names (tracev2.Specs()), "" where the type is unused
const NAMES: StaticArray<string> = new StaticArray<string>(256);

function timed(typ: u8, args: u8, kind: u8, ownStack: u8 = 0, string1: u8 = 0, string2: u8 = 0, secondStack: u8 = 0, startEv: u8 = 0): void {
  unchecked((TIMED_ARGS[typ] = args));
  unchecked((KIND[typ] = kind));
  unchecked((OWN_STACK[typ] = ownStack));
  unchecked((STRING1[typ] = string1));
  unchecked((STRING2[typ] = string2));
  unchecked((SECOND_STACK[typ] = secondStack));
  unchecked((START_EV[typ] = startEv));
  unchecked((HAS_TABLE_REFS[typ] = ownStack | string1 | string2 | secondStack));
}

const SPEC_NAMES: string[] = [
  '', 'EventBatch', 'Stacks', 'Stack', 'Strings', 'String', 'CPUSamples', 'CPUSample', 'Frequency',
  'ProcsChange', 'ProcStart', 'ProcStop', 'ProcSteal', 'ProcStatus', 'GoCreate', 'GoCreateSyscall',
  'GoStart', 'GoDestroy', 'GoDestroySyscall', 'GoStop', 'GoBlock', 'GoUnblock', 'GoSyscallBegin',
  'GoSyscallEnd', 'GoSyscallEndBlocked', 'GoStatus', 'STWBegin', 'STWEnd', 'GCActive', 'GCBegin',
  'GCEnd', 'GCSweepActive', 'GCSweepBegin', 'GCSweepEnd', 'GCMarkAssistActive', 'GCMarkAssistBegin',
  'GCMarkAssistEnd', 'HeapAlloc', 'HeapGoal', 'GoLabel', 'UserTaskBegin', 'UserTaskEnd',
  'UserRegionBegin', 'UserRegionEnd', 'UserLog', 'GoSwitch', 'GoSwitchDestroy', 'GoCreateBlocked',
  'GoStatusStack', 'ExperimentalBatch', 'Sync', 'ClockSnapshot', 'EndOfGeneration',
];
const EXPERIMENTAL_NAMES: string[] = [
  'Span', 'SpanAlloc', 'SpanFree', 'HeapObject', 'HeapObjectAlloc', 'HeapObjectFree', 'GoroutineStack',
  'GoroutineStackAlloc', 'GoroutineStackFree',
];

export function initSpecs(): void {
  for (let i = 0; i < 256; i++) unchecked((NAMES[i] = ''));
  for (let i = 0; i < SPEC_NAMES.length; i++) unchecked((NAMES[i] = SPEC_NAMES[i]));
  for (let i = 0; i < EXPERIMENTAL_NAMES.length; i++) unchecked((NAMES[128 + i] = EXPERIMENTAL_NAMES[i]));
  unchecked((KIND[EV_CPU_SAMPLE] = KIND_STACK_SAMPLE));
  timed(EV_PROCS_CHANGE, 3, KIND_METRIC, 2);
  timed(EV_PROC_START, 3, KIND_STATE_TRANSITION);
  timed(EV_PROC_STOP, 1, KIND_STATE_TRANSITION);
  timed(EV_PROC_STEAL, 4, KIND_STATE_TRANSITION);
  timed(EV_PROC_STATUS, 3, KIND_STATE_TRANSITION);
  timed(EV_GO_CREATE, 4, KIND_STATE_TRANSITION, 3, 0, 0, 2);
  timed(EV_GO_CREATE_SYSCALL, 2, KIND_STATE_TRANSITION);
  timed(EV_GO_START, 3, KIND_STATE_TRANSITION);
  timed(EV_GO_DESTROY, 1, KIND_STATE_TRANSITION);
  timed(EV_GO_DESTROY_SYSCALL, 1, KIND_STATE_TRANSITION);
  timed(EV_GO_STOP, 3, KIND_STATE_TRANSITION, 2, 1);
  timed(EV_GO_BLOCK, 3, KIND_STATE_TRANSITION, 2, 1);
  timed(EV_GO_UNBLOCK, 4, KIND_STATE_TRANSITION, 3);
  timed(EV_GO_SYSCALL_BEGIN, 3, KIND_STATE_TRANSITION, 2);
  timed(EV_GO_SYSCALL_END, 1, KIND_STATE_TRANSITION, 0, 0, 0, 0, EV_GO_SYSCALL_BEGIN);
  timed(EV_GO_SYSCALL_END_BLOCKED, 1, KIND_STATE_TRANSITION, 0, 0, 0, 0, EV_GO_SYSCALL_BEGIN);
  timed(EV_GO_STATUS, 4, KIND_STATE_TRANSITION);
  timed(EV_STW_BEGIN, 3, KIND_RANGE_BEGIN, 2, 1);
  timed(EV_STW_END, 1, KIND_RANGE_END, 0, 0, 0, 0, EV_STW_BEGIN);
  timed(EV_GC_ACTIVE, 2, KIND_RANGE_ACTIVE, 0, 0, 0, 0, EV_GC_BEGIN);
  timed(EV_GC_BEGIN, 3, KIND_RANGE_BEGIN, 2);
  timed(EV_GC_END, 2, KIND_RANGE_END, 0, 0, 0, 0, EV_GC_BEGIN);
  timed(EV_GC_SWEEP_ACTIVE, 2, KIND_RANGE_ACTIVE, 0, 0, 0, 0, EV_GC_SWEEP_BEGIN);
  timed(EV_GC_SWEEP_BEGIN, 2, KIND_RANGE_BEGIN, 1);
  timed(EV_GC_SWEEP_END, 3, KIND_RANGE_END, 0, 0, 0, 0, EV_GC_SWEEP_BEGIN);
  timed(EV_GC_MARK_ASSIST_ACTIVE, 2, KIND_RANGE_ACTIVE, 0, 0, 0, 0, EV_GC_MARK_ASSIST_BEGIN);
  timed(EV_GC_MARK_ASSIST_BEGIN, 2, KIND_RANGE_BEGIN, 1);
  timed(EV_GC_MARK_ASSIST_END, 1, KIND_RANGE_END, 0, 0, 0, 0, EV_GC_MARK_ASSIST_BEGIN);
  timed(EV_HEAP_ALLOC, 2, KIND_METRIC);
  timed(EV_HEAP_GOAL, 2, KIND_METRIC);
  timed(EV_GO_LABEL, 2, KIND_LABEL, 0, 1);
  timed(EV_USER_TASK_BEGIN, 5, KIND_TASK_BEGIN, 4, 3);
  timed(EV_USER_TASK_END, 3, KIND_TASK_END, 2);
  timed(EV_USER_REGION_BEGIN, 4, KIND_REGION_BEGIN, 3, 2);
  timed(EV_USER_REGION_END, 4, KIND_REGION_END, 3, 2, 0, 0, EV_USER_REGION_BEGIN);
  timed(EV_USER_LOG, 5, KIND_LOG, 4, 2, 3);
  timed(EV_GO_SWITCH, 3, KIND_STATE_TRANSITION);
  timed(EV_GO_SWITCH_DESTROY, 3, KIND_STATE_TRANSITION);
  timed(EV_GO_CREATE_BLOCKED, 4, KIND_STATE_TRANSITION, 3, 0, 0, 2);
  timed(EV_GO_STATUS_STACK, 5, KIND_STATE_TRANSITION, 4);
  timed(EV_CLOCK_SNAPSHOT, 4, KIND_BAD);
  timed(128, 4, KIND_EXPERIMENTAL); // Span
  timed(129, 4, KIND_EXPERIMENTAL); // SpanAlloc
  timed(130, 2, KIND_EXPERIMENTAL); // SpanFree
  timed(131, 3, KIND_EXPERIMENTAL); // HeapObject
  timed(132, 3, KIND_EXPERIMENTAL); // HeapObjectAlloc
  timed(133, 2, KIND_EXPERIMENTAL); // HeapObjectFree
  timed(134, 3, KIND_EXPERIMENTAL); // GoroutineStack
  timed(135, 3, KIND_EXPERIMENTAL); // GoroutineStackAlloc
  timed(136, 2, KIND_EXPERIMENTAL); // GoroutineStackFree
  unchecked((KIND[EV_READER_SYNC] = KIND_SYNC));
}

@inline export function timedArgCount(typ: u8): i32 {
  return <i32>unchecked(TIMED_ARGS[typ]);
}
@inline export function kindOf(typ: u8): u8 {
  return unchecked(KIND[typ]);
}
/** Address of the 256 kinds by type (kindOf's table), for loops that hold it in a local. */
export function kindTable(): usize {
  return changetype<usize>(KIND);
}
@inline export function ownStackArg(typ: u8): i32 {
  return <i32>unchecked(OWN_STACK[typ]);
}
@inline export function secondStackArg(typ: u8): i32 {
  return <i32>unchecked(SECOND_STACK[typ]);
}
@inline export function stringArg1(typ: u8): i32 {
  return <i32>unchecked(STRING1[typ]);
}
@inline export function stringArg2(typ: u8): i32 {
  return <i32>unchecked(STRING2[typ]);
}
@inline export function startEvOf(typ: u8): u8 {
  return unchecked(START_EV[typ]);
}

@inline export function hasTableRefs(typ: u8): bool {
  return unchecked(HAS_TABLE_REFS[typ]) != 0;
}

/** The spec name of a wire type in the newest table (Go's tracev2.Specs()[typ].Name). */
export function specName(typ: u8): string {
  return unchecked(NAMES[typ]);
}

/** Go's Version.EventName: the name in the file version's table, or Invalid(N). */
export function eventName(typ: u8, version: i32): string {
  // Go 1.22 knows types up to UserLog, 1.23 up to ExperimentalBatch, 1.25 up to ClockSnapshot;
  // only 1.26's table includes the experimental events.
  const last: i32 = version <= 22 ? 44 : version <= 23 ? 49 : version <= 25 ? 51 : 255;
  const name = unchecked(NAMES[typ]);
  if (<i32>typ <= last && name.length > 0) return name;
  return 'Invalid(' + typ.toString() + ')';
}

// Argument names after dt, for error messages that print an event the way Go's dumpFrontier does.
const ARG_NAMES = new Map<u8, string>();

function initArgNames(): void {
  ARG_NAMES.set(EV_PROCS_CHANGE, 'procs_value stack');
  ARG_NAMES.set(EV_PROC_START, 'p p_seq');
  ARG_NAMES.set(EV_PROC_STEAL, 'p p_seq m');
  ARG_NAMES.set(EV_PROC_STATUS, 'p pstatus');
  ARG_NAMES.set(EV_GO_CREATE, 'new_g new_stack stack');
  ARG_NAMES.set(EV_GO_CREATE_SYSCALL, 'new_g');
  ARG_NAMES.set(EV_GO_START, 'g g_seq');
  ARG_NAMES.set(EV_GO_STOP, 'reason_string stack');
  ARG_NAMES.set(EV_GO_BLOCK, 'reason_string stack');
  ARG_NAMES.set(EV_GO_UNBLOCK, 'g g_seq stack');
  ARG_NAMES.set(EV_GO_SYSCALL_BEGIN, 'p_seq stack');
  ARG_NAMES.set(EV_GO_STATUS, 'g m gstatus');
  ARG_NAMES.set(EV_STW_BEGIN, 'kind_string stack');
  ARG_NAMES.set(EV_GC_ACTIVE, 'gc_seq');
  ARG_NAMES.set(EV_GC_BEGIN, 'gc_seq stack');
  ARG_NAMES.set(EV_GC_END, 'gc_seq');
  ARG_NAMES.set(EV_GC_SWEEP_ACTIVE, 'p');
  ARG_NAMES.set(EV_GC_SWEEP_BEGIN, 'stack');
  ARG_NAMES.set(EV_GC_SWEEP_END, 'swept_value reclaimed_value');
  ARG_NAMES.set(EV_GC_MARK_ASSIST_ACTIVE, 'g');
  ARG_NAMES.set(EV_GC_MARK_ASSIST_BEGIN, 'stack');
  ARG_NAMES.set(EV_HEAP_ALLOC, 'heapalloc_value');
  ARG_NAMES.set(EV_HEAP_GOAL, 'heapgoal_value');
  ARG_NAMES.set(EV_GO_LABEL, 'label_string');
  ARG_NAMES.set(EV_USER_TASK_BEGIN, 'task parent_task name_string stack');
  ARG_NAMES.set(EV_USER_TASK_END, 'task stack');
  ARG_NAMES.set(EV_USER_REGION_BEGIN, 'task name_string stack');
  ARG_NAMES.set(EV_USER_REGION_END, 'task name_string stack');
  ARG_NAMES.set(EV_USER_LOG, 'task key_string value_string stack');
  ARG_NAMES.set(EV_GO_SWITCH, 'g g_seq');
  ARG_NAMES.set(EV_GO_SWITCH_DESTROY, 'g g_seq');
  ARG_NAMES.set(EV_GO_CREATE_BLOCKED, 'new_g new_stack stack');
  ARG_NAMES.set(EV_GO_STATUS_STACK, 'g m gstatus stack');
  ARG_NAMES.set(EV_CLOCK_SNAPSHOT, 'mono sec nsec');
  ARG_NAMES.set(128, 'id npages_value kindclass');
  ARG_NAMES.set(129, 'id npages_value kindclass');
  ARG_NAMES.set(130, 'id');
  ARG_NAMES.set(131, 'id type');
  ARG_NAMES.set(132, 'id type');
  ARG_NAMES.set(133, 'id');
  ARG_NAMES.set(134, 'id order');
  ARG_NAMES.set(135, 'id order');
  ARG_NAMES.set(136, 'id');
}

export function argNames(typ: u8): string[] {
  if (ARG_NAMES.size == 0) initArgNames();
  if (!ARG_NAMES.has(typ)) return new Array<string>();
  return ARG_NAMES.get(typ).split(' ');
}
