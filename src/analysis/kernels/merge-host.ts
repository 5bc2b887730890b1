// A WASM module of the merging thread's own, for the kernels that run at a merge (MMU's replay of a
// mid-trace part's recording, see kernels/mmu.ts): an instance of the decoder's module that never
// decodes, made at the first merge that needs it (a thread that only decodes never pays for it).
// Kernels that consume events use the module of the decoder that produced the batch; a merge has
// no batch, and the merging thread (the main thread on the pool) has no decoder of its own.
import { DecoderKernelHost } from '../../decoder/kernel-host.js';
import { instantiateDecoder } from '../../decoder/wasm.js';
import type { KernelHost } from '../../model/index.js';

let host: DecoderKernelHost | undefined;

/** The thread's merge module (instantiated on first use). */
export function mergeHost(): KernelHost {
  if (host === undefined) {
    const made = new DecoderKernelHost();
    const wasm = instantiateDecoder(made.imports());
    made.bind(wasm as unknown as Record<string, unknown>, wasm.memory);
    host = made;
  }
  return host;
}

/**
 * Frees what the merge kernels allocated and no longer hold (the module's minimal runtime never
 * collects on its own). Call it between merges, when no kernel call is running.
 */
export function collectMergeHost(): void {
  const collect = host?.exports['__collect'];
  if (typeof collect === 'function') (collect as () => void)();
}
