// A window [start, start + length) of another EventView, for splitting a decoder batch at a
// generation boundary (a Sync event) in tests.
import { join } from 'node:path';
import { BatchView } from '../../../src/analysis/columns.js';
import type { EventView, Frame, Kind, ResourceKind } from '../../../src/analysis/events.js';
import type { KernelHost } from '../../../src/model/index.js';
import { openTrace } from '../../../src/trace.js';

export class SliceView implements EventView {
  constructor(
    private readonly inner: EventView,
    private readonly start: number,
    readonly length: number,
  ) {}
  kind(i: number): Kind {
    return this.inner.kind(i + this.start);
  }
  kernelHost(): KernelHost | undefined {
    return this.inner.kernelHost?.();
  }
  kernelOffset(): number {
    return (this.inner.kernelOffset?.() ?? 0) + this.start;
  }
  refreshColumns(): void {
    this.inner.refreshColumns?.();
  }
  wireType(i: number): number {
    return this.inner.wireType(i + this.start);
  }
  encodedSize(i: number): number {
    return this.inner.encodedSize(i + this.start);
  }
  time(i: number): number {
    return this.inner.time(i + this.start);
  }
  goroutine(i: number): number {
    return this.inner.goroutine(i + this.start);
  }
  proc(i: number): number {
    return this.inner.proc(i + this.start);
  }
  thread(i: number): number {
    return this.inner.thread(i + this.start);
  }
  stack(i: number): number {
    return this.inner.stack(i + this.start);
  }
  frames(stackId: number): readonly Frame[] {
    return this.inner.frames(stackId);
  }
  resourceKind(i: number): ResourceKind {
    return this.inner.resourceKind(i + this.start);
  }
  resourceId(i: number): number {
    return this.inner.resourceId(i + this.start);
  }
  fromState(i: number): number {
    return this.inner.fromState(i + this.start);
  }
  toState(i: number): number {
    return this.inner.toState(i + this.start);
  }
  reason(i: number): string {
    return this.inner.reason(i + this.start);
  }
  transitionStack(i: number): number {
    return this.inner.transitionStack(i + this.start);
  }
  rangeName(i: number): string {
    return this.inner.rangeName(i + this.start);
  }
  rangeScopeKind(i: number): ResourceKind {
    return this.inner.rangeScopeKind(i + this.start);
  }
  rangeScopeId(i: number): number {
    return this.inner.rangeScopeId(i + this.start);
  }
  metricName(i: number): string {
    return this.inner.metricName(i + this.start);
  }
  metricValue(i: number): number {
    return this.inner.metricValue(i + this.start);
  }
  label(i: number): string {
    return this.inner.label(i + this.start);
  }
  taskId(i: number): number {
    return this.inner.taskId(i + this.start);
  }
  taskParent(i: number): number {
    return this.inner.taskParent(i + this.start);
  }
  annotationType(i: number): string {
    return this.inner.annotationType(i + this.start);
  }
  logMessage(i: number): string {
    return this.inner.logMessage(i + this.start);
  }
  syncN(i: number): number {
    return this.inner.syncN(i + this.start);
  }
}

const ROOT = join(import.meta.dirname, '..', '..', '..');
const SYNC = 1;

/**
 * Every batch of the trace (a path relative to the repository), split at each Sync after its first
 * event, so parts start at one; `startsGeneration` says whether a slice begins with a Sync.
 */
export async function* generationSlices(relative: string): AsyncGenerator<{ view: EventView; startsGeneration: boolean }> {
  const view = new BatchView();
  for await (const batch of (await openTrace(join(ROOT, relative))).batches()) {
    const v = view.bind(batch);
    let start = 0;
    for (let i = 1; i < v.length; i++) {
      if (v.kind(i) !== SYNC) continue;
      yield { view: new SliceView(v, start, i - start), startsGeneration: v.kind(start) === SYNC };
      start = i;
    }
    yield { view: new SliceView(v, start, v.length - start), startsGeneration: v.kind(start) === SYNC };
  }
}
