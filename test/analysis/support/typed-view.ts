// Copies EventViews into typed-array columns, like the decoder's EventBatch, so analyzer cost can
// be measured without the object-backed test view's overhead.
import type { EventView, Frame, Kind, ResourceKind } from '../../../src/analysis/events.js';

export function toTypedView(view: EventView): EventView {
  const n = view.length;
  const f64 = () => new Float64Array(n);
  const i32 = () => new Int32Array(n);
  const kind = new Uint8Array(n), time = f64(), g = f64(), p = i32(), m = f64(), stack = i32(), rk = new Uint8Array(n), rid = f64();
  const from = new Uint8Array(n), to = new Uint8Array(n), tstack = i32(), value = f64(), text = i32(), task = f64(), parent = f64(), msg = i32(), syncN = i32();
  const strings: string[] = [];
  const index = new Map<string, number>();
  const str = (s: string) => {
    let k = index.get(s);
    if (k === undefined) index.set(s, (k = strings.push(s) - 1));
    return k;
  };
  for (let i = 0; i < n; i++) {
    const k = view.kind(i);
    kind[i] = k; time[i] = view.time(i); g[i] = view.goroutine(i); p[i] = view.proc(i); m[i] = view.thread(i); stack[i] = view.stack(i);
    rk[i] = k === 13 ? view.resourceKind(i) : view.rangeScopeKind(i);
    rid[i] = k === 13 ? view.resourceId(i) : view.rangeScopeId(i);
    from[i] = view.fromState(i); to[i] = view.toState(i); tstack[i] = view.transitionStack(i);
    value[i] = view.metricValue(i);
    text[i] = str(k === 13 ? view.reason(i) : k === 2 ? view.metricName(i) : k === 3 ? view.label(i) : k >= 5 && k <= 7 ? view.rangeName(i) : view.annotationType(i));
    task[i] = view.taskId(i); parent[i] = view.taskParent(i); msg[i] = str(view.logMessage(i)); syncN[i] = view.syncN(i);
  }
  const frames = (id: number): readonly Frame[] => view.frames(id);
  const s = (i: number) => strings[text[i]!]!;
  return {
    length: n,
    kind: (i) => kind[i]! as Kind,
    wireType: () => 0,
    encodedSize: () => 0,
    time: (i) => time[i]!,
    goroutine: (i) => g[i]!,
    proc: (i) => p[i]!,
    thread: (i) => m[i]!,
    stack: (i) => stack[i]!,
    frames,
    resourceKind: (i) => rk[i]! as ResourceKind,
    resourceId: (i) => rid[i]!,
    fromState: (i) => from[i]!,
    toState: (i) => to[i]!,
    reason: s,
    transitionStack: (i) => tstack[i]!,
    rangeName: s,
    rangeScopeKind: (i) => rk[i]! as ResourceKind,
    rangeScopeId: (i) => rid[i]!,
    metricName: s,
    metricValue: (i) => value[i]!,
    label: s,
    taskId: (i) => task[i]!,
    taskParent: (i) => parent[i]!,
    annotationType: s,
    logMessage: (i) => strings[msg[i]!]!,
    syncN: (i) => syncN[i]!,
  };
}
