// Raw LEB128 varint decoding speed of this machine over a trace's bytes, in plain JS and in
// WebAssembly (AssemblyScript, -O3 --noAssert). Every byte is treated as part of a varint, so this
// is an upper bound for any decoder whose inner loop is varint reads.
//   node bench/varint-speed.mjs <trace> [--json]
// The file is read in fixed chunks (bounded memory); only decoding is timed, not I/O or copies.
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const benchDir = dirname(fileURLToPath(import.meta.url));
const root = join(benchDir, '..');
const CHUNK_BYTES = 32 << 20;
const WASM_DATA_OFFSET = 1 << 16; // above the module's (tiny) static data; the module allocates nothing

export function buildVarintWasm() {
  const output = join(benchDir, 'out', 'varint.wasm');
  const source = join(benchDir, 'varint-as.ts');
  if (existsSync(output) && statSync(output).mtimeMs >= statSync(source).mtimeMs) return output;
  const asc = join(root, 'node_modules', '.bin', 'asc');
  const result = spawnSync(asc, [source, '-O3', '--noAssert', '--runtime', 'stub', '-o', output], { stdio: 'inherit' });
  if (result.status !== 0) throw new Error('asc failed to build bench/varint-as.ts');
  return output;
}

function decodeAllJs(bytes, length) {
  let sum = 0;
  let count = 0;
  let position = 0;
  while (position < length) {
    let value = 0;
    let scale = 1;
    let byte;
    do {
      byte = bytes[position++];
      value += (byte & 0x7f) * scale;
      scale *= 128;
    } while ((byte & 0x80) !== 0 && position < length);
    sum += value;
    count++;
  }
  return { sum, count };
}

export async function measureVarintSpeed(tracePath) {
  const wasmPath = buildVarintWasm();
  const { instance } = await WebAssembly.instantiate(readFileSync(wasmPath), { env: { abort() { throw new Error("varint wasm aborted"); } } });
  const { memory, decodeAll, lastCount } = instance.exports;
  const needed = WASM_DATA_OFFSET + CHUNK_BYTES;
  if (memory.buffer.byteLength < needed) memory.grow(Math.ceil((needed - memory.buffer.byteLength) / 65536));
  const wasmView = new Uint8Array(memory.buffer, WASM_DATA_OFFSET, CHUNK_BYTES);

  const chunk = new Uint8Array(CHUNK_BYTES);
  const fd = openSync(tracePath, 'r');
  let bytes = 0;
  let jsSeconds = 0;
  let wasmSeconds = 0;
  let varints = 0;
  try {
    for (;;) {
      const length = readSync(fd, chunk, 0, CHUNK_BYTES, bytes);
      if (length === 0) break;
      bytes += length;
      let start = performance.now();
      const js = decodeAllJs(chunk, length);
      jsSeconds += (performance.now() - start) / 1000;
      wasmView.set(chunk.subarray(0, length));
      start = performance.now();
      decodeAll(WASM_DATA_OFFSET, length);
      wasmSeconds += (performance.now() - start) / 1000;
      if (Number(lastCount()) !== js.count) throw new Error('JS and WASM varint counts differ');
      varints += js.count;
    }
  } finally {
    closeSync(fd);
  }
  return {
    bytes,
    varints,
    js: { seconds: jsSeconds, mbPerSec: bytes / 1e6 / jsSeconds },
    wasm: { seconds: wasmSeconds, mbPerSec: bytes / 1e6 / wasmSeconds },
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const tracePath = args.find((arg) => !arg.startsWith('--'));
  if (tracePath === undefined) {
    process.stderr.write('usage: node bench/varint-speed.mjs <trace> [--json]\n');
    process.exit(2);
  }
  const result = await measureVarintSpeed(tracePath);
  if (args.includes('--json')) process.stdout.write(`${JSON.stringify(result)}\n`);
  else {
    process.stdout.write(
      `${(result.bytes / 1e6).toFixed(1)} MB, ${result.varints} varints: ` +
        `JS ${result.js.mbPerSec.toFixed(0)} MB/s, WASM ${result.wasm.mbPerSec.toFixed(0)} MB/s\n`,
    );
  }
}
