// Loads the AssemblyScript decoder. The module is compiled once per thread and instantiated per
// decoder; @assemblyscript/loader supplies the runtime glue (abort, strings out of WASM memory).
import { instantiateSync } from '@assemblyscript/loader';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DecoderKernelHost } from './kernel-host.js';

export interface DecoderExports {
  memory: WebAssembly.Memory;
  init(version: number, capacity: number): void;
  inputBuffer(length: number): number;
  loadGeneration(length: number, gen: bigint): number;
  slotPointer(slot: number): number;
  slotSize(slot: number): number;
  reserveSlot(slot: number, length: number, keep: boolean): number;
  loadGenerationInSlot(slot: number, length: number, gen: bigint): number;
  nextBatch(): number;
  bareSync(): number;
  setSyncCount(count: bigint): void;
  batchStatus(): number;
  columnPointer(column: number): number;
  fillColumn(column: number): number;
  lastErrorCode(): number;
  lastErrorMessage(): number;
  lastErrorOffset(): number;
  stringPointer(id: bigint): number;
  stringLength(id: bigint): number;
  extraStringPointer(id: bigint): number;
  extraStringLength(id: bigint): number;
  stackFrames(id: bigint): number;
  frameScratchPointer(): number;
  syncHasClockSnapshot(): number;
  syncClockTrace(): bigint;
  syncClockMono(): bigint;
  syncClockSec(): bigint;
  syncClockNsec(): bigint;
  experimentalBatchCount(): number;
  experimentalBatchExperiment(i: number): number;
  experimentalBatchThread(i: number): bigint;
  experimentalBatchPointer(i: number): number;
  experimentalBatchLength(i: number): number;
  /** Test hook (see assembly/index.ts). */
  testGoSort(n: number): number;
  __getString(pointer: number): string;
  __collect(): void;
}

const WASM_URL = new URL('../../build/decoder.wasm', import.meta.url);
/** For profiling and A/B runs: a different build of the same module (e.g. one with a names section). */
// An empty value means unset (`SCHEDSCOPE_DECODER_WASM= node …`), not a file named ''.
const WASM_OVERRIDE = process.env['SCHEDSCOPE_DECODER_WASM'] || undefined;
let compiled: WebAssembly.Module | undefined;

function module(): WebAssembly.Module {
  if (compiled === undefined) {
    let bytes: Uint8Array<ArrayBuffer>;
    try {
      bytes = new Uint8Array(readFileSync(WASM_OVERRIDE ?? fileURLToPath(WASM_URL)));
    } catch (error) {
      const message =
        WASM_OVERRIDE !== undefined
          ? `schedscope: cannot read the decoder SCHEDSCOPE_DECODER_WASM names (${WASM_OVERRIDE}); unset it to use the built one`
          : `schedscope: the WASM decoder ${fileURLToPath(WASM_URL)} is missing; run \`npm run build:wasm\` (npm install builds it)`;
      throw new Error(message, { cause: error });
    }
    compiled = new WebAssembly.Module(bytes);
  }
  return compiled;
}

/**
 * `imports`: the module's `kernel` namespace (the analysis kernels' callbacks, see kernel-host.ts).
 * By default a host no kernel instance is attached to: the module links (it imports each callback
 * a kernel uses) and any call is an error.
 */
export function instantiateDecoder(imports: Record<string, (owner: number, value: number) => number> = new DecoderKernelHost().imports()): DecoderExports {
  const instance = instantiateSync(module(), { kernel: imports });
  return instance.exports as unknown as DecoderExports;
}
