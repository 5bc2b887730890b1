// Events a part recorded because it cannot interpret them alone. A part that begins mid-trace does
// not know the state (goroutine counts, idle Ps, GC state) it begins in; analyzers whose results
// depend on that state record the few columns they need — bounded by the part's own generations —
// and interpret them when the part is merged after its predecessor, which does know. Served back
// as an EventView, the recorded events go through the same code as live ones.
import type { EventView, Frame, Kind, ResourceKind } from './events.js';

export interface RecordedEvents {
  kind: number[];
  time: number[];
  goroutine: number[];
  proc: number[];
  thread: number[];
  resourceKind: number[];
  resourceId: number[];
  from: number[];
  to: number[];
  /** Metric value, or index into `strings` for a label / metric name. */
  value: number[];
  text: number[];
  strings: string[];
}

export function emptyRecording(): RecordedEvents {
  return {
    kind: [],
    time: [],
    goroutine: [],
    proc: [],
    thread: [],
    resourceKind: [],
    resourceId: [],
    from: [],
    to: [],
    value: [],
    text: [],
    strings: [],
  };
}

function intern(rec: RecordedEvents, text: string): number {
  let index = rec.strings.indexOf(text);
  if (index < 0) index = rec.strings.push(text) - 1;
  return index;
}

/** Appends event i of `view` (transitions, metrics, labels, syncs; other kinds keep only time). */
export function recordEvent(rec: RecordedEvents, view: EventView, i: number): void {
  const kind = view.kind(i);
  rec.kind.push(kind);
  rec.time.push(view.time(i));
  rec.goroutine.push(view.goroutine(i));
  rec.proc.push(view.proc(i));
  rec.thread.push(view.thread(i));
  let rk = 0;
  let rid = 0;
  let from = 0;
  let to = 0;
  let value = 0;
  let text = -1;
  if (kind === 13) {
    rk = view.resourceKind(i);
    rid = view.resourceId(i);
    from = view.fromState(i);
    to = view.toState(i);
    text = intern(rec, view.reason(i));
  } else if (kind === 2) {
    value = view.metricValue(i);
    text = intern(rec, view.metricName(i));
  } else if (kind === 3) {
    text = intern(rec, view.label(i));
  } else if (kind === 1) {
    value = view.syncN(i);
  }
  rec.resourceKind.push(rk);
  rec.resourceId.push(rid);
  rec.from.push(from);
  rec.to.push(to);
  rec.value.push(value);
  rec.text.push(text);
}

export function concatRecordings(a: RecordedEvents, b: RecordedEvents): RecordedEvents {
  const out = structuredClone(a);
  const remap = b.strings.map((s) => intern(out, s));
  for (let k = 0; k < b.kind.length; k++) {
    out.kind.push(b.kind[k]!);
    out.time.push(b.time[k]!);
    out.goroutine.push(b.goroutine[k]!);
    out.proc.push(b.proc[k]!);
    out.thread.push(b.thread[k]!);
    out.resourceKind.push(b.resourceKind[k]!);
    out.resourceId.push(b.resourceId[k]!);
    out.from.push(b.from[k]!);
    out.to.push(b.to[k]!);
    out.value.push(b.value[k]!);
    out.text.push(b.text[k]! < 0 ? -1 : remap[b.text[k]!]!);
  }
  return out;
}

/** The recorded events as an EventView (stacks, ranges and annotations are not kept). */
export function recordedView(rec: RecordedEvents): EventView {
  const str = (k: number) => (rec.text[k]! < 0 ? '' : rec.strings[rec.text[k]!]!);
  const none: readonly Frame[] = [];
  return {
    length: rec.kind.length,
    kind: (k) => rec.kind[k]! as Kind,
    wireType: () => 0,
    encodedSize: () => 0,
    time: (k) => rec.time[k]!,
    goroutine: (k) => rec.goroutine[k]!,
    proc: (k) => rec.proc[k]!,
    thread: (k) => rec.thread[k]!,
    stack: () => 0,
    frames: () => none,
    resourceKind: (k) => rec.resourceKind[k]! as ResourceKind,
    resourceId: (k) => rec.resourceId[k]!,
    fromState: (k) => rec.from[k]!,
    toState: (k) => rec.to[k]!,
    reason: str,
    transitionStack: () => 0,
    rangeName: () => '',
    rangeScopeKind: () => 0 as ResourceKind,
    rangeScopeId: () => 0,
    metricName: str,
    metricValue: (k) => rec.value[k]!,
    label: str,
    taskId: () => 0,
    taskParent: () => 0,
    annotationType: () => '',
    logMessage: () => '',
    syncN: (k) => rec.value[k]!,
  };
}
