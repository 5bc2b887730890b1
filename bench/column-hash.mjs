// A SHA-256 over every column of every event of a trace, read through openTrace + batches():
// two builds of the decoder produce the same events exactly when the digests are equal.
//   node bench/column-hash.mjs <trace> [--batch N]
// Compiled sources come from dist/ (or $SCHEDSCOPE_DIST); SCHEDSCOPE_DECODER_WASM picks another
// decoder.wasm. Each column is hashed separately (so a difference names its column), over the
// bytes of rows [0, length) of each batch, in the order the columns are listed below; the line
// printed last is a digest over all of them. --batch N sets eventsPerBatch (default 4096): the
// digests do not depend on it, which checks the overflow path between batches. --subset reads only
// column k mod 19 of the k-th batch (so a decoder that fills columns on first read fills a few at
// a time); compare its digests with another build's --subset run.
import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const args = process.argv.slice(2);
const path = args.find((a) => !a.startsWith('--') && !/^\d+$/.test(a));
const batchAt = args.indexOf('--batch');
const eventsPerBatch = batchAt >= 0 ? Number(args[batchAt + 1]) : undefined;
const subset = args.includes('--subset');
if (!path) {
  console.error('usage: node bench/column-hash.mjs <trace> [--batch N]');
  process.exit(2);
}
const dist = resolve(process.env.SCHEDSCOPE_DIST ?? new URL('../dist', import.meta.url).pathname);
const { openTrace } = await import(pathToFileURL(`${dist}/trace.js`).href);

const NAMES = [
  'time', 'arg0', 'arg1', 'arg2', 'arg3', 'timeNs', 'goroutine', 'proc', 'thread', 'stack',
  'transitionStack', 'resourceId', 'reason', 'kind', 'wireType', 'resourceKind', 'from', 'to', 'size',
];
const PROPS = [null, null, null, null, null, 'timeNs', 'goroutine', 'proc', 'thread', 'stack', 'transitionStack', 'resourceId', 'reason', 'kind', 'wireType', 'resourceKind', 'from', 'to', 'size'];
const column = (b, c) => (c === 0 ? b.time : c <= 4 ? b.args[c - 1] : b[PROPS[c]]);
const columnsOf = (b) => [
  b.time, b.args[0], b.args[1], b.args[2], b.args[3], b.timeNs, b.goroutine, b.proc, b.thread, b.stack,
  b.transitionStack, b.resourceId, b.reason, b.kind, b.wireType, b.resourceKind, b.from, b.to, b.size,
];
const digests = NAMES.map(() => createHash('sha256'));
let events = 0;
let batches = 0;
const trace = await openTrace(path, eventsPerBatch === undefined ? {} : { eventsPerBatch });
for await (const batch of trace.batches()) {
  const n = batch.length;
  if (subset) {
    const c = batches % NAMES.length;
    const col = column(batch, c);
    digests[c].update(new Uint8Array(col.buffer, col.byteOffset, n * col.BYTES_PER_ELEMENT));
    events += n;
    batches++;
    continue;
  }
  const cols = columnsOf(batch);
  for (let c = 0; c < cols.length; c++) {
    const col = cols[c];
    digests[c].update(new Uint8Array(col.buffer, col.byteOffset, n * col.BYTES_PER_ELEMENT));
  }
  events += n;
  batches++;
}
const all = createHash('sha256');
for (let c = 0; c < NAMES.length; c++) {
  const hex = digests[c].digest('hex');
  all.update(hex);
  console.log(`${NAMES[c].padEnd(16)} ${hex}`);
}
console.log(`events ${events} batches ${batches}`);
console.log(`all              ${all.digest('hex')}`);
