// One generation's bytes for a decoder, wherever they are: a file read with positional reads
// (through one cached handle per worker), or bytes already in memory. The generation index counts
// Go 1.26's end-of-generation byte; decoders take the batches only.
import { open, type FileHandle } from 'node:fs/promises';
import type { FramingRegion, RawGeneration } from '../format/framer.js';
import type { SupportedVersion } from '../format/header.js';
import type { WorkerContext } from './protocol.js';

/** Where one generation's batches are in the file (from the generation index). */
export interface GenerationBytes {
  gen: bigint;
  offset: number;
  byteLength: number;
  batchCount: number;
}

const END_OF_GENERATION = 0x34;

/** The batches of a generation's bytes: Go 1.26's end marker dropped. */
export function batchesOnly(bytes: Uint8Array, version: SupportedVersion): Uint8Array {
  return version >= 26 && bytes[bytes.length - 1] === END_OF_GENERATION ? bytes.subarray(0, bytes.length - 1) : bytes;
}

/** Reads `extent` from `handle` into `into` (at least byteLength long); the file must hold it all. */
export async function readExtent(handle: FileHandle, path: string, extent: GenerationBytes, into: Uint8Array): Promise<Uint8Array> {
  let filled = 0;
  while (filled < extent.byteLength) {
    const { bytesRead } = await handle.read(into, filled, extent.byteLength - filled, extent.offset + filled);
    if (bytesRead === 0) throw new RangeError(`file ended at ${extent.offset + filled} inside generation ${extent.gen}; was ${path} changed since indexing?`);
    filled += bytesRead;
  }
  return into.subarray(0, extent.byteLength);
}

/** This worker's handle on `path`, opened once (a handle on another file is closed first). */
export async function workerFile(context: WorkerContext, path: string): Promise<FileHandle> {
  const key = `file:${path}`;
  let handle = context.state.get(key) as FileHandle | undefined;
  if (handle === undefined) {
    for (const [k, v] of context.state) if (k.startsWith('file:')) await (v as FileHandle).close();
    for (const k of [...context.state.keys()]) if (k.startsWith('file:')) context.state.delete(k);
    handle = await open(path, 'r');
    context.state.set(key, handle);
  }
  return handle;
}

/**
 * Reads `extent`'s batches straight into the decoder's framing region (its own memory) and loads
 * them without a copy; false (nothing read) when the region cannot hold them.
 */
export async function readIntoRegion(
  context: WorkerContext,
  path: string,
  extent: GenerationBytes,
  region: FramingRegion,
  version: SupportedVersion,
): Promise<RawGeneration | null> {
  if (region.capacity < extent.byteLength && !(region.grow?.(extent.byteLength) ?? false)) return null;
  const handle = await workerFile(context, path);
  const bytes = batchesOnly(await readExtent(handle, path, extent, region.view()), version);
  return { gen: extent.gen, fileOffset: extent.offset, parts: [], byteLength: bytes.length, batchCount: extent.batchCount, framedIn: { region, bytes: bytes.length } };
}

/** A generation's batches from a file, read into the worker's pre-touched scratch buffer. */
export async function readIntoScratch(context: WorkerContext, path: string, extent: GenerationBytes, version: SupportedVersion): Promise<Uint8Array> {
  const handle = await workerFile(context, path);
  return batchesOnly(await readExtent(handle, path, extent, context.ensureScratch(extent.byteLength)), version);
}
