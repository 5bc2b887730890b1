// The procs analyzer's per-event loop on its kernel (assembly/analysis/procs.ts): the state lives
// in the module and state() reads it out as the ProcsState the JavaScript analyzer would hold.
import type { StatefulAnalyzer } from '../deferred.js';
import type { EventView } from '../events.js';
import type { ProcsOptions, ProcsState } from '../procs.js';
import type { KernelHost } from '../../model/index.js';
import { readHistogram } from './histogram.js';
import { kernelExports, releaseWith } from './kernel.js';

interface ProcsExports {
  procsCreate(maxPoints: number, preempted: number): number;
  procsRelease(handle: number): void;
  procsConsume(handle: number, from: number, count: number): number;
  procsBeginPart(handle: number): void;
  procsScalars(handle: number): number;
  procsColumn(handle: number, which: number): number;
  procsColumnLength(handle: number, which: number): number;
  procsBuckets(handle: number): number;
  procsBucketKey(handle: number, i: number): number;
  procsBucketBusy(handle: number, i: number): number;
  procsBucketProcs(handle: number, i: number): number;
  procsPreemptedHistogram(handle: number): number;
}

const NAMES: (keyof ProcsExports)[] = [
  'procsCreate', 'procsRelease', 'procsConsume', 'procsBeginPart', 'procsScalars', 'procsColumn',
  'procsColumnLength', 'procsBuckets', 'procsBucketKey', 'procsBucketBusy', 'procsBucketProcs', 'procsPreemptedHistogram',
];

/** Indices of procsScalars() (assembly/analysis/procs.ts). */
const enum Scalar {
  WidthNs, Idle, Runnable, RunnableWhileIdleNs, LastTime, FirstTime, GomaxprocsMax, IdleProcWithWorkNs,
  EndsPreempted, EndsYielded, EndsBlocked, EndsSyscall, EndsExited,
  LongSliceGoroutineCount, LongPreemptedCount, LongPreemptedNs,
  Count,
}

/** The `which` of procsColumn(). */
const enum Column {
  BusyNs, BusySince, WhileIdleByRunnable, LongSliceGoroutines, ProcStateDense, ProcStateSparseIds, ProcStateSparseStates,
}

export function procsKernel(host: KernelHost, options: ProcsOptions): StatefulAnalyzer<ProcsState> {
  const wasm = kernelExports<ProcsExports>(host, NAMES);
  // Global ids of the reason strings the kernel asked about (it compares them with "preempted").
  const strings = new Map<string, number>();
  const intern = (text: string): number => {
    let id = strings.get(text);
    if (id === undefined) strings.set(text, (id = strings.size));
    return id;
  };
  const handle = wasm.procsCreate(options.maxPoints ?? 256, intern('preempted'));
  let view: EventView | undefined;
  let offset = 0;
  host.attach(handle, {
    reason(event) {
      // The kernel may have grown memory before asking, detaching the view's columns.
      if (host.refresh()) view!.refreshColumns?.();
      return intern(view!.reason(event - offset));
    },
  });
  const column = (which: Column): number[] =>
    Array.from(new Float64Array(host.memory(), wasm.procsColumn(handle, which), wasm.procsColumnLength(handle, which)));

  const analyzer: StatefulAnalyzer<ProcsState> = {
    consume(v) {
      view = v;
      offset = v.kernelOffset?.() ?? 0;
      wasm.procsConsume(handle, offset, v.length);
    },
    beginPart() {
      wasm.procsBeginPart(handle);
    },
    state() {
      const s = new Float64Array(host.memory(), wasm.procsScalars(handle), Scalar.Count).slice();
      const buckets: Record<string, number[]> = {};
      const bucketCount = wasm.procsBuckets(handle);
      for (let i = 0; i < bucketCount; i++) {
        const busy = new Float64Array(host.memory(), wasm.procsBucketBusy(handle, i), wasm.procsBucketProcs(handle, i));
        buckets[String(wasm.procsBucketKey(handle, i))] = Array.from(busy);
      }
      const procState: Record<string, number> = {};
      column(Column.ProcStateDense).forEach((state, p) => {
        if (state >= 0) procState[p] = state;
      });
      const sparseStates = column(Column.ProcStateSparseStates);
      column(Column.ProcStateSparseIds).forEach((p, k) => (procState[String(p)] = sparseStates[k]!));
      const longSliceGoroutines: Record<string, true> = {};
      for (const id of column(Column.LongSliceGoroutines)) longSliceGoroutines[String(id)] = true;
      return {
        timeline: { widthNs: s[Scalar.WidthNs]!, buckets, count: bucketCount },
        busyNs: column(Column.BusyNs),
        busySince: column(Column.BusySince),
        procState,
        idle: s[Scalar.Idle]!,
        runnable: s[Scalar.Runnable]!,
        runnableWhileIdleNs: s[Scalar.RunnableWhileIdleNs]!,
        lastTime: s[Scalar.LastTime]!,
        firstTime: s[Scalar.FirstTime]!,
        gomaxprocsMax: s[Scalar.GomaxprocsMax]!,
        idleProcWithWorkNs: s[Scalar.IdleProcWithWorkNs]!,
        whileIdleByRunnable: column(Column.WhileIdleByRunnable),
        preemptedSlices: readHistogram(host, wasm.procsPreemptedHistogram(handle)),
        sliceEnds: {
          preempted: s[Scalar.EndsPreempted]!,
          yielded: s[Scalar.EndsYielded]!,
          blocked: s[Scalar.EndsBlocked]!,
          syscall: s[Scalar.EndsSyscall]!,
          exited: s[Scalar.EndsExited]!,
        },
        longSliceGoroutines,
        longSliceGoroutineCount: s[Scalar.LongSliceGoroutineCount]!,
        longPreemptedCount: s[Scalar.LongPreemptedCount]!,
        longPreemptedNs: s[Scalar.LongPreemptedNs]!,
      };
    },
  };
  releaseWith(analyzer, host, handle, (h) => wasm.procsRelease(h));
  return analyzer;
}
