// Differential check of two builds on damaged traces: each mutation overwrites a few bytes of a
// trace at random, both builds read it (every event's String(), every column of every batch, and
// the error: class, message, offset), and any difference is printed. For decoder changes that must
// keep every event and every error exactly as they were.
//   node bench/mutate-diff.mjs <old dist dir> <trace> [mutations=200] [seed=1] [--batch N]
// The new build is this tree's dist/ (or $SCHEDSCOPE_DIST).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const args = process.argv.slice(2);
const batchAt = args.indexOf('--batch');
const eventsPerBatch = batchAt >= 0 ? Number(args[batchAt + 1]) : undefined;
const [oldDist, tracePath, countArg = '200', seedArg = '1'] = args.filter((a, i) => !a.startsWith('--') && (batchAt < 0 || i !== batchAt + 1));
if (!oldDist || !tracePath) {
  console.error('usage: node bench/mutate-diff.mjs <old dist dir> <trace> [mutations] [seed] [--batch N]');
  process.exit(2);
}
const newDist = resolve(process.env.SCHEDSCOPE_DIST ?? new URL('../dist', import.meta.url).pathname);
const builds = [
  { name: 'old', openTrace: (await import(pathToFileURL(`${resolve(oldDist)}/trace.js`).href)).openTrace },
  { name: 'new', openTrace: (await import(pathToFileURL(`${newDist}/trace.js`).href)).openTrace },
];

const original = new Uint8Array(readFileSync(tracePath));
let seed = Number(seedArg) >>> 0 || 1;
const random = () => {
  // xorshift32
  seed ^= seed << 13;
  seed >>>= 0;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  seed >>>= 0;
  return seed / 2 ** 32;
};

const COLUMNS = ['time', 'timeNs', 'goroutine', 'proc', 'thread', 'stack', 'transitionStack', 'resourceId', 'reason', 'kind', 'wireType', 'resourceKind', 'from', 'to', 'size'];

/** Digest of everything a reader hands out for these bytes, and how it ended. */
async function read(build, bytes, objects) {
  const digest = createHash('sha256');
  let events = 0;
  let ending = 'ok';
  try {
    const trace = await build.openTrace(bytes, eventsPerBatch === undefined ? {} : { eventsPerBatch });
    if (objects) {
      for await (const event of trace.events()) {
        digest.update(event.toString());
        events++;
      }
    } else {
      for await (const batch of trace.batches()) {
        const n = batch.length;
        for (const name of COLUMNS) {
          const col = batch[name];
          digest.update(new Uint8Array(col.buffer, col.byteOffset, n * col.BYTES_PER_ELEMENT));
        }
        for (const col of batch.args) digest.update(new Uint8Array(col.buffer, col.byteOffset, n * 8));
        events += n;
      }
    }
  } catch (error) {
    ending = `${error?.constructor?.name}: ${error?.message} @${error?.offset}`;
  }
  return `${events} ${digest.digest('hex')} ${ending}`;
}

let differences = 0;
const endings = new Map();
const count = Number(countArg);
for (let k = 0; k <= count; k++) {
  const bytes = original.slice();
  // k = 0: the trace as it is. Then 1-3 random bytes past the header, each set to a random value.
  if (k > 0) {
    const changes = 1 + Math.floor(random() * 3);
    for (let c = 0; c < changes; c++) bytes[16 + Math.floor(random() * (bytes.length - 16))] = Math.floor(random() * 256);
  }
  for (const objects of [false, true]) {
    const [a, b] = [await read(builds[0], bytes, objects), await read(builds[1], bytes, objects)];
    const kind = b.split(' ').slice(2).join(' ').split(':')[0];
    endings.set(kind, (endings.get(kind) ?? 0) + 1);
    if (a !== b) {
      differences++;
      console.log(`mutation ${k} (${objects ? 'objects' : 'columns'}) differs:\n  old ${a}\n  new ${b}`);
    }
  }
}
console.log(JSON.stringify({ trace: tracePath, mutations: count, differences, endings: Object.fromEntries(endings) }));
process.exit(differences === 0 ? 0 : 1);
