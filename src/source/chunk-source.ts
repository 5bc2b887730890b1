// Byte sources: everything the reader can pull a trace from, behind one pull interface.
// A chunk handed out by next() is only valid until the following call, so file sources can reuse
// one read buffer; the framer copies what it keeps.
import { open, type FileHandle } from 'node:fs/promises';

export interface ChunkSource {
  /** Total size in bytes when known up front (files, buffers), for progress reporting. */
  readonly size: number | undefined;
  /** Next chunk of bytes, or null at end of input. The chunk is valid until the next call. */
  next(): Promise<Uint8Array | null>;
  close(): Promise<void>;
}

/** Anything openTrace accepts as a trace. */
export type TraceSource = string | URL | Uint8Array | ArrayBuffer | AsyncIterable<Uint8Array> | ReadableStream<Uint8Array>;

export const DEFAULT_CHUNK_BYTES = 1 << 20;

/** Positional chunked reads from a file, one reusable buffer. */
class FileChunkSource implements ChunkSource {
  private position = 0;
  private readonly buffer: Uint8Array;

  constructor(
    private readonly handle: FileHandle,
    readonly size: number,
    chunkBytes: number,
  ) {
    this.buffer = new Uint8Array(chunkBytes);
  }

  async next(): Promise<Uint8Array | null> {
    const { bytesRead } = await this.handle.read(this.buffer, 0, this.buffer.length, this.position);
    if (bytesRead === 0) return null;
    this.position += bytesRead;
    return this.buffer.subarray(0, bytesRead);
  }

  async close(): Promise<void> {
    await this.handle.close();
  }
}

/** A trace already in memory, handed out in chunks so it takes the same path as a file. */
class BufferChunkSource implements ChunkSource {
  private position = 0;
  readonly size: number;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly chunkBytes: number,
  ) {
    this.size = bytes.length;
  }

  async next(): Promise<Uint8Array | null> {
    if (this.position >= this.bytes.length) return null;
    const end = Math.min(this.bytes.length, this.position + this.chunkBytes);
    const chunk = this.bytes.subarray(this.position, end);
    this.position = end;
    return chunk;
  }

  async close(): Promise<void> {}
}

/** Any async iterable of byte chunks (Node streams, web ReadableStreams, generators). */
class IterableChunkSource implements ChunkSource {
  readonly size = undefined;
  private readonly iterator: AsyncIterator<Uint8Array>;

  constructor(iterable: AsyncIterable<Uint8Array>) {
    this.iterator = iterable[Symbol.asyncIterator]();
  }

  async next(): Promise<Uint8Array | null> {
    for (;;) {
      const result = await this.iterator.next();
      if (result.done) return null;
      const chunk = result.value;
      if (!(chunk instanceof Uint8Array)) {
        throw new TypeError(`trace stream yielded ${typeof chunk}, expected Uint8Array chunks`);
      }
      if (chunk.length > 0) return chunk;
    }
  }

  async close(): Promise<void> {
    await this.iterator.return?.();
  }
}

function isAsyncIterable(value: unknown): value is AsyncIterable<Uint8Array> {
  return typeof value === 'object' && value !== null && Symbol.asyncIterator in value;
}

function isReadableStream(value: unknown): value is ReadableStream<Uint8Array> {
  return typeof value === 'object' && value !== null && typeof (value as ReadableStream).getReader === 'function';
}

async function* readableStreamChunks(stream: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    reader.releaseLock();
  }
}

export async function openChunkSource(source: TraceSource, chunkBytes = DEFAULT_CHUNK_BYTES): Promise<ChunkSource> {
  if (typeof source === 'string' || source instanceof URL) {
    const handle = await open(source, 'r');
    try {
      const { size } = await handle.stat();
      return new FileChunkSource(handle, size, chunkBytes);
    } catch (error) {
      await handle.close();
      throw error;
    }
  }
  if (source instanceof Uint8Array) return new BufferChunkSource(source, chunkBytes);
  if (source instanceof ArrayBuffer) return new BufferChunkSource(new Uint8Array(source), chunkBytes);
  // Web ReadableStreams are async-iterable in Node 20, but not in every runtime: prefer getReader().
  if (isReadableStream(source)) return new IterableChunkSource(readableStreamChunks(source));
  if (isAsyncIterable(source)) return new IterableChunkSource(source);
  throw new TypeError('openTrace: source must be a file path, URL, Uint8Array, ArrayBuffer, AsyncIterable<Uint8Array> or ReadableStream');
}
