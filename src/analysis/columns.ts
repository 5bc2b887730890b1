// Adapts the decoder's columnar EventBatch (src/model/batch.ts, layout in src/model/columns.ts) to
// the analyzers' EventView. Strings and stacks are resolved through the batch's generation tables,
// cached per generation (a transition's reason is looked up for every blocking event).
import type { EventBatch, GenerationTables, KernelHost, Stack } from '../model/index.js';
import { EventKind, WireType, rangeName } from '../model/index.js';
import { NO_STW_KIND, metricName } from '../model/batch.js';
import type { EventView, Frame, Kind, ResourceKind } from './events.js';

/** Per-generation caches, reset when a batch of another generation arrives. */
class GenerationCache {
  private tables: GenerationTables | undefined;
  private generation = -1n;
  private strings = new Map<number, string>();
  private frames = new Map<number, readonly Frame[]>();
  private stwNames = new Map<number, string>();

  /** Ids are per generation (and the decoder may reuse one tables object for all of them). */
  use(tables: GenerationTables, generation: bigint): void {
    if (tables === this.tables && generation === this.generation) return;
    this.tables = tables;
    this.generation = generation;
    this.strings = new Map();
    this.frames = new Map();
    this.stwNames = new Map();
  }

  /**
   * The string of an id held as a number (the columns' f64 form). A blocking event's reason is
   * looked up per event; the tables already cache strings by number id (the decoder in an array
   * indexed by id), so no second cache here.
   */
  stringAt(id: number): string {
    return this.tables!.stringAt(id);
  }

  string(id: number | bigint): string {
    const key = Number(id);
    let text = this.strings.get(key);
    if (text === undefined) {
      text = this.tables!.string(BigInt(id));
      this.strings.set(key, text);
    }
    return text;
  }

  /** "stop-the-world (<kind>)" for an STW kind string id, built once per generation. */
  stwRangeName(kindId: bigint): string {
    const key = Number(kindId);
    let name = this.stwNames.get(key);
    if (name === undefined) this.stwNames.set(key, (name = rangeName(WireType.STWBegin, () => this.string(kindId))));
    return name;
  }

  extraString(id: bigint): string {
    return this.tables!.extraString(id);
  }

  stack(id: number): readonly Frame[] {
    if (id < 0) return [];
    let frames = this.frames.get(id);
    if (frames === undefined) {
      const stack: Stack = this.tables!.stack(id);
      frames = stack.frames.map((f) => ({ pc: Number(f.pc), func: f.func, file: f.file, line: f.line }));
      this.frames.set(id, frames);
    }
    return frames;
  }
}

/** The analyzers' stack ids: 0 = none. The model uses -1 for none; id 0 is the empty stack. */
function stackId(value: number): number {
  return value <= 0 ? 0 : value;
}

/**
 * One class, reused for every batch (`batchView` rebinds it): the analyzers call its methods per
 * event, and a single monomorphic class lets the JIT inline them, where fresh closures per batch
 * would not be.
 */
export class BatchView implements EventView {
  private readonly cache = new GenerationCache();
  private batch!: EventBatch;
  length = 0;
  private kindCol!: Uint8Array;
  private wireTypeCol!: Uint8Array;
  private sizeCol!: Uint32Array;
  private timeCol!: Float64Array;
  private goroutineCol!: Float64Array;
  private procCol!: Float64Array;
  private threadCol!: Float64Array;
  private stackCol!: Float64Array;
  private transitionStackCol!: Float64Array;
  private resourceKindCol!: Uint8Array;
  private resourceIdCol!: Float64Array;
  private fromCol!: Uint8Array;
  private toCol!: Uint8Array;
  private reasonCol!: Float64Array;
  private a0!: BigUint64Array;
  private a1!: BigUint64Array;
  private a2!: BigUint64Array;
  private a3!: BigUint64Array;

  /** Re-reads the bound batch's columns when the decoder reattaches them (WASM memory grew). */
  private readonly reread = () => this.bind(this.batch);

  bind(batch: EventBatch): this {
    this.cache.use(batch.tables, batch.generation);
    if (this.batch !== batch) batch.onReattach(this.reread);
    this.batch = batch;
    this.length = batch.length;
    this.kindCol = batch.kind;
    this.wireTypeCol = batch.wireType;
    this.sizeCol = batch.size;
    this.timeCol = batch.timeNs;
    this.goroutineCol = batch.goroutine;
    this.procCol = batch.proc;
    this.threadCol = batch.thread;
    this.stackCol = batch.stack;
    this.transitionStackCol = batch.transitionStack;
    this.resourceKindCol = batch.resourceKind;
    this.resourceIdCol = batch.resourceId;
    this.fromCol = batch.from;
    this.toCol = batch.to;
    this.reasonCol = batch.reason;
    [this.a0, this.a1, this.a2, this.a3] = batch.args;
    return this;
  }

  kind(i: number): Kind {
    return this.kindCol[i]! as Kind;
  }
  wireType(i: number): number {
    return this.wireTypeCol[i]!;
  }
  encodedSize(i: number): number {
    return this.sizeCol[i]!;
  }
  time(i: number): number {
    return this.timeCol[i]!;
  }
  goroutine(i: number): number {
    return this.goroutineCol[i]!;
  }
  proc(i: number): number {
    return this.procCol[i]!;
  }
  thread(i: number): number {
    return this.threadCol[i]!;
  }
  stack(i: number): number {
    return stackId(this.stackCol[i]!);
  }
  frames(id: number): readonly Frame[] {
    return this.cache.stack(id);
  }
  resourceKind(i: number): ResourceKind {
    return this.resourceKindCol[i]! as ResourceKind;
  }
  resourceId(i: number): number {
    return this.resourceIdCol[i]!;
  }
  fromState(i: number): number {
    return this.fromCol[i]!;
  }
  toState(i: number): number {
    return this.toCol[i]!;
  }
  reason(i: number): string {
    const id = this.reasonCol[i]!;
    return id === 0 ? '' : this.cache.stringAt(id);
  }
  transitionStack(i: number): number {
    return stackId(this.transitionStackCol[i]!);
  }
  rangeName(i: number): string {
    const type = this.wireTypeCol[i]!;
    if (type !== WireType.STWBegin && type !== WireType.STWEnd) return rangeName(type, NO_STW_KIND);
    return this.cache.stwRangeName(this.a0[i]!);
  }
  rangeScopeKind(i: number): ResourceKind {
    return this.resourceKindCol[i]! as ResourceKind;
  }
  rangeScopeId(i: number): number {
    return this.resourceIdCol[i]!;
  }
  metricName(i: number): string {
    return metricName(this.wireTypeCol[i]!);
  }
  metricValue(i: number): number {
    return Number(this.a0[i]!);
  }
  label(i: number): string {
    return this.cache.string(this.a0[i]!);
  }
  taskId(i: number): number {
    return Number(this.a0[i]!);
  }
  taskParent(i: number): number {
    return Number(this.kindCol[i] === EventKind.TaskBegin ? this.a1[i]! : this.a2[i]!);
  }
  annotationType(i: number): string {
    switch (this.kindCol[i]) {
      case EventKind.TaskBegin:
        return this.cache.string(this.a2[i]!);
      case EventKind.TaskEnd:
        return this.cache.extraString(this.a3[i]!);
      default:
        // Regions: type; logs: category.
        return this.cache.string(this.a1[i]!);
    }
  }
  logMessage(i: number): string {
    return this.cache.string(this.a2[i]!);
  }
  syncN(i: number): number {
    return Number(this.a0[i]!);
  }

  kernelHost(): KernelHost | undefined {
    const host = this.batch.tables.kernels;
    return host !== undefined && host.holds(this.batch) ? host : undefined;
  }

  kernelOffset(): number {
    return 0;
  }

  refreshColumns(): void {
    this.reread();
  }
}

/**
 * A view for one batch. Create one per pass (`new BatchView()`) and rebind it for each batch: like
 * the batch's columns, a bound view is valid only until the next batch.
 */
export function batchView(batch: EventBatch, view: BatchView = new BatchView()): EventView {
  return view.bind(batch);
}
