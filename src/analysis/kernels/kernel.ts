// Running an analyzer's WASM kernel (assembly/analysis/) when its events come from a decoder that
// has one, and its JavaScript implementation otherwise. The two give the same partials (checked
// by test/analysis/kernels.test.ts on every fixture); the kernel is the fast path, the JavaScript
// is the reference and serves any other event source (recorded events, tests, tools).
import type { AnalyzerInstance, CreateContext } from '../analyzer.js';
import type { EventView } from '../events.js';
import type { KernelHost } from '../../model/index.js';

/**
 * Whether a pass (its CreateContext) or a merge (its MergeContext) may run kernels: as `kernels`
 * says, else unless `SCHEDSCOPE_KERNELS=0`, which runs every analysis in JavaScript (for
 * comparisons and A/B timing).
 */
export function kernelsEnabled(context: { kernels?: boolean }): boolean {
  if (context.kernels !== undefined) return context.kernels;
  return globalThis.process?.env?.['SCHEDSCOPE_KERNELS'] !== '0';
}

/** The host's exports named `names`, checked to be functions (a stale build/decoder.wasm lacks them). */
export function kernelExports<T>(host: KernelHost, names: readonly (keyof T & string)[]): T {
  for (const name of names) {
    if (typeof host.exports[name] !== 'function') {
      throw new Error(`schedscope: build/decoder.wasm has no ${name}(); rebuild it with \`npm run build:wasm\``);
    }
  }
  return host.exports as unknown as T;
}

/**
 * An analyzer instance that decides at its first batch: the kernel if the view comes from a
 * decoder with kernels (and kernels are enabled, and `kernel` does not decline by returning
 * undefined, e.g. for options only the JavaScript implements), else the JavaScript analyzer.
 * Partial results asked for before any batch come from the JavaScript analyzer (both start
 * empty). A pass is fed by one decoder; a kernel instance refuses views of another one rather
 * than miss events.
 */
export function kernelOrScript<P>(
  context: CreateContext,
  kernel: (host: KernelHost) => AnalyzerInstance<P> | undefined,
  script: () => AnalyzerInstance<P>,
): AnalyzerInstance<P> {
  const enabled = kernelsEnabled(context);
  let chosen: AnalyzerInstance<P> | undefined;
  let boundHost: KernelHost | undefined;
  const choose = (view: EventView | undefined): AnalyzerInstance<P> => {
    if (chosen !== undefined) return chosen;
    const host = enabled && view !== undefined ? view.kernelHost?.() : undefined;
    const viaKernel = host !== undefined ? kernel(host) : undefined;
    boundHost = viaKernel !== undefined ? host : undefined;
    chosen = viaKernel ?? script();
    return chosen;
  };
  const instance: AnalyzerInstance<P> = {
    consume(view) {
      const target = choose(view);
      if (boundHost !== undefined && view.kernelHost?.() !== boundHost) {
        throw new Error('schedscope: an analysis kernel was fed a batch its decoder no longer holds (one pass reads one decoder, batch by batch)');
      }
      target.consume(view);
    },
    partial: () => choose(undefined).partial(),
  };
  instance.beginPart = () => {
    const target = choose(undefined);
    if (target.beginPart === undefined) throw new TypeError('this analysis cannot begin a part on the same instance');
    target.beginPart();
  };
  return instance;
}

/** EventKind bits for eventsOfKinds(). */
export function kindMask(...kinds: number[]): number {
  let mask = 0;
  for (const kind of kinds) mask |= 1 << kind;
  return mask >>> 0;
}

interface SelectExports {
  selectKinds(kinds: number, from: number, count: number): number;
  selectionPointer(): number;
}

/** Kinds a batch holds few of (all but transitions, ranges and metrics): selected once per batch. */
const RARE_KINDS = kindMask(1, 3, 4, 8, 9, 10, 11, 12, 14);

/** The rare-kind events of the batch rows last asked about, and their kinds. */
let rare: { host: KernelHost; batch: number; from: number; count: number; rows: Int32Array; kinds: Uint8Array } | undefined;

/**
 * Indices of the view's events whose kind is in `mask` (kindMask()), in order: computed by the
 * module when the view has a kernel host (a pass over the kind column in WASM), else in
 * JavaScript. Several analyzers ask for rare kinds of the same batch (annotations, CPU samples,
 * Syncs): those share one pass, filtered here. Valid until the next call.
 */
export function eventsOfKinds(view: EventView, mask: number): Int32Array {
  const host = view.kernelHost?.();
  if (host === undefined) {
    if (scratch.length < view.length) scratch = new Int32Array(view.length);
    let count = 0;
    for (let i = 0; i < view.length; i++) if ((mask >>> view.kind(i)) & 1) scratch[count++] = i;
    return scratch.subarray(0, count);
  }
  const from = view.kernelOffset?.() ?? 0;
  const wasm = kernelExports<SelectExports>(host, ['selectKinds', 'selectionPointer']);
  if ((mask & ~RARE_KINDS) !== 0) return select(host, wasm, mask, from, view.length);
  if (rare === undefined || rare.host !== host || rare.batch !== host.batchNumber || rare.from !== from || rare.count !== view.length) {
    const rows = select(host, wasm, RARE_KINDS, from, view.length).slice();
    const kinds = new Uint8Array(rows.length);
    for (let k = 0; k < rows.length; k++) kinds[k] = view.kind(rows[k]!);
    rare = { host, batch: host.batchNumber, from, count: view.length, rows, kinds };
  }
  const { rows, kinds } = rare;
  if (scratch.length < rows.length) scratch = new Int32Array(Math.max(rows.length, 64));
  let count = 0;
  for (let k = 0; k < rows.length; k++) if ((mask >>> kinds[k]!) & 1) scratch[count++] = rows[k]!;
  return scratch.subarray(0, count);
}

function select(host: KernelHost, wasm: SelectExports, mask: number, from: number, count: number): Int32Array {
  const selected = wasm.selectKinds(mask, from, count);
  // The first call allocates the selection buffer, which may grow memory (see KernelHost.refresh).
  host.refresh();
  return new Int32Array(host.memory(), wasm.selectionPointer(), selected);
}

/** eventsOfKinds' buffer for views without a kernel host. */
let scratch = new Int32Array(0);

/**
 * Releases a kernel instance's state in the module when its JavaScript owner is collected (a pass
 * has no explicit end: its instances are dropped after their last partial()).
 */
const releaser = new FinalizationRegistry<() => void>((release) => release());

/** Ties kernel instance `handle` to `owner`'s lifetime; `release` frees it in the module. */
export function releaseWith(owner: object, host: KernelHost, handle: number, release: (handle: number) => void): void {
  releaser.register(owner, () => {
    host.detach(handle);
    release(handle);
  });
}

interface StringExports {
  stringLength(id: bigint): number;
  stringPointer(id: bigint): number;
}

const utf8 = new TextDecoder('utf-8');

/**
 * The string of generation-local string id `id` (the columns' f64 form) in the generation the
 * host's columns hold now, read from the decoder's tables as the decoder reads it: what an
 * `internString` callback resolves (views resolve strings by event, not by id).
 */
export function moduleString(host: KernelHost, id: number): string {
  if (id === 0) return '';
  const wasm = kernelExports<StringExports>(host, ['stringLength', 'stringPointer']);
  const key = BigInt(id);
  const length = wasm.stringLength(key);
  if (length < 0) return '';
  return utf8.decode(new Uint8Array(host.memory(), wasm.stringPointer(key), length));
}
