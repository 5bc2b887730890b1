// One measured read of a trace, run in its own process so peak RSS belongs to this path alone.
//   node bench/decode-child.mjs columnar|events|batch-objects <trace>
// batch-objects: Event objects made synchronously inside each batch (`for (const e of batch)`), the
// object path without a promise per event.
// Prints one JSON line: {mode, events, bytes, seconds, mbPerSec, eventsPerSec, maxRssKB, check}.
import { statSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

const [mode, tracePath] = process.argv.slice(2);
if (!['columnar', 'events', 'batch-objects'].includes(mode) || tracePath === undefined) {
  process.stderr.write('usage: node bench/decode-child.mjs columnar|events|batch-objects <trace>\n');
  process.exit(2);
}

const { openTrace } = await import('../dist/index.js');
const bytes = statSync(tracePath).size;
const start = performance.now();
const trace = await openTrace(tracePath);
let events = 0;
// `check` folds in what was read so the work cannot be optimised away.
let check = 0;
if (mode === 'columnar') {
  for await (const batch of trace.batches()) {
    const { length, kind } = batch;
    events += length;
    for (let i = 0; i < length; i++) check = (check + kind[i]) | 0;
  }
} else if (mode === 'batch-objects') {
  for await (const batch of trace.batches()) {
    for (const event of batch) {
      events++;
      check = (check + event.kind.length) | 0;
    }
  }
} else {
  for await (const event of trace.events()) {
    events++;
    check = (check + event.kind.length) | 0;
  }
}
const seconds = (performance.now() - start) / 1000;
const maxRssKB = process.resourceUsage().maxRSS;
process.stdout.write(
  `${JSON.stringify({ mode, events, bytes, seconds, mbPerSec: bytes / 1e6 / seconds, eventsPerSec: events / seconds, maxRssKB, check })}\n`,
);
