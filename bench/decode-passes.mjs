// Decoding alone, repeatable: frames every generation of a trace into memory once, then decodes
// them `passes` times, each pass with a fresh decoder, reading each batch's length and kind column
// as the columnar benchmark does. For instruction counts under valgrind (the difference between
// two pass counts is one pass, without Node's start-up or the file reads):
//   valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=/dev/null \
//     node --single-threaded --no-liftoff --no-wasm-dynamic-tiering bench/decode-passes.mjs <trace> 2
// --all reads every column (as the analyses do), not only `kind`.
// Prints one JSON line: events per pass, CPU seconds of each pass (process.cpuUsage).
// Compiled sources come from dist/ (or $SCHEDSCOPE_DIST).
import { openSync, closeSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const argv = process.argv.slice(2);
// --all: read every column of every batch (as the analyses' batch view does) instead of `kind` only.
const allColumns = argv.includes('--all');
const [path, passesArg = '1', generationsArg] = argv.filter((a) => a !== '--all');
if (!path) {
  console.error('usage: node bench/decode-passes.mjs <trace> [passes] [max generations]');
  process.exit(2);
}
const dist = resolve(process.env.SCHEDSCOPE_DIST ?? new URL('../dist', import.meta.url).pathname);
const { openChunkSource } = await import(pathToFileURL(`${dist}/source/chunk-source.js`).href);
const { ByteReader } = await import(pathToFileURL(`${dist}/format/byte-reader.js`).href);
const { GenerationFramer } = await import(pathToFileURL(`${dist}/format/framer.js`).href);
const { HEADER_BYTES, parseHeader } = await import(pathToFileURL(`${dist}/format/header.js`).href);
const { GenerationDecoder } = await import(pathToFileURL(`${dist}/decoder/decoder.js`).href);

const chunks = await openChunkSource(path);
const reader = new ByteReader(chunks);
const header = new Uint8Array(HEADER_BYTES);
await reader.readInto(header, 0, HEADER_BYTES);
const version = parseHeader(header);
const framer = new GenerationFramer(reader, version, 256 << 20);
const generations = [];
const maxGenerations = generationsArg === undefined ? Infinity : Number(generationsArg);
for (let f = await framer.next(); f !== null && generations.length < maxGenerations; f = await framer.next()) {
  const g = f.generation;
  // The parts alias the framer's buffer: keep a copy.
  const bytes = new Uint8Array(g.byteLength);
  let at = 0;
  for (const part of g.parts) {
    bytes.set(part, at);
    at += part.length;
  }
  generations.push({ ...g, parts: [bytes] });
}
await chunks.close();
void openSync;
void closeSync;

const passes = Number(passesArg);
const seconds = [];
let events = 0;
let check = 0;
for (let pass = 0; pass < passes; pass++) {
  const before = process.cpuUsage();
  const decoder = await GenerationDecoder.create(version);
  events = 0;
  for (const g of generations) {
    decoder.load(g);
    for (let batch = decoder.next(); batch !== null; batch = decoder.next()) {
      const { length, kind } = batch;
      events += length;
      for (let i = 0; i < length; i++) check = (check + kind[i]) | 0;
      if (allColumns) {
        const cols = [batch.time, ...batch.args, batch.timeNs, batch.goroutine, batch.proc, batch.thread, batch.stack,
          batch.transitionStack, batch.resourceId, batch.reason, batch.wireType, batch.resourceKind, batch.from, batch.to, batch.size];
        for (const col of cols) check = (check + Number(col[length - 1])) | 0;
      }
    }
  }
  const used = process.cpuUsage(before);
  seconds.push((used.user + used.system) / 1e6);
}
console.log(JSON.stringify({ events, generations: generations.length, seconds, nsPerEvent: seconds.map((s) => +((s * 1e9) / events).toFixed(1)), check }));
