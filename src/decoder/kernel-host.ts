// The decoder's side of the kernel contract (src/model/kernels.ts): the WASM module's imports that
// kernels call back through, dispatched to the callbacks of the kernel instance that asks, and
// which batch the module's columns hold now.
import type { ColumnViews, EventBatch, KernelCallbacks, KernelHost } from '../model/index.js';

type Callback = keyof KernelCallbacks;

export class DecoderKernelHost implements KernelHost {
  exports: Readonly<Record<string, unknown>> = {};
  private memoryObject: WebAssembly.Memory | undefined;
  private readonly callbacks = new Map<number, Partial<KernelCallbacks>>();
  /** The batch whose events are in the columns (set by the decoder after every fill, see produce()). */
  current: EventBatch | null = null;
  batchNumber = 0;

  /** The decoder filled the columns with `batch`. */
  produce(batch: EventBatch): void {
    this.current = batch;
    this.batchNumber++;
  }

  /** The `kernel` import namespace of the module (bound before the instance exists). */
  imports(): Record<string, (owner: number, value: number) => number> {
    const ask = (name: Callback) => (owner: number, value: number): number => {
      const callback = this.callbacks.get(owner)?.[name];
      if (callback === undefined) throw new Error(`schedscope: analysis kernel ${owner} asked ${name} without an answer attached`);
      // The kernel may have grown memory before asking: the callback may read the batch.
      this.refresh();
      return callback(value);
    };
    return {
      internString: ask('internString'),
      internStack: ask('internStack'),
      stackRoot: ask('stackRoot'),
      stackRootPc: ask('stackRootPc'),
      rangeName: ask('rangeName'),
      label: ask('label'),
      reason: ask('reason'),
    };
  }

  bind(exports: Readonly<Record<string, unknown>>, memory: WebAssembly.Memory): void {
    this.exports = exports;
    this.memoryObject = memory;
  }

  memory(): ArrayBuffer {
    return this.memoryObject!.buffer;
  }

  attach(handle: number, callbacks: Partial<KernelCallbacks>): void {
    this.callbacks.set(handle, callbacks);
  }

  detach(handle: number): void {
    this.callbacks.delete(handle);
  }

  holds(batch: EventBatch): boolean {
    return batch === this.current;
  }

  /** Set by the decoder: its column views over the memory now. */
  columnsNow: (() => ColumnViews) | undefined;

  refresh(): boolean {
    const batch = this.current;
    if (batch === null || batch.columnBuffer === this.memory() || this.columnsNow === undefined) return false;
    // reattach() tells the views bound to the batch (BatchView) to re-read it.
    batch.reattach(this.columnsNow());
    return true;
  }
}
