// One measured read of a trace through openTrace: sequential (workers 0), or on the worker pool
// with N workers (N = 1 goes through the pool too, to show its overhead). Prints one JSON line:
// seconds (open → last event), events, MB/s, peak RSS (process maximum), and with --hash a SHA-256
// over every event's String() (slow: objects), so the parallel stream can be compared with the
// sequential one. Compiled sources come from dist/ (or $SCHEDSCOPE_DIST).
import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const [path, workersArg = '0', ...flags] = process.argv.slice(2);
if (!path) {
  console.error('usage: node bench/parallel-child.mjs <trace> [workers] [--hash] [--placement=none|compact|numa]');
  process.exit(2);
}
const workers = Number(workersArg);
const hash = flags.includes('--hash');
const placement = flags.find((f) => f.startsWith('--placement='))?.slice('--placement='.length) ?? 'none';
const dist = resolve(process.env.SCHEDSCOPE_DIST ?? new URL('../dist', import.meta.url).pathname);
const { openTrace } = await import(pathToFileURL(`${dist}/trace.js`).href);
const parallel = await import(pathToFileURL(`${dist}/parallel/parallel-trace.js`).href);

const started = performance.now();
let events = 0;
const digest = createHash('sha256');
const byKind = new Array(16).fill(0);
let batches;
const report = { generations: 0, warmUps: 0, maxInFlight: 0, metrics: null };
if (workers === 1) {
  // The pool with a single worker (openTrace treats workers: 1 as sequential).
  const index = await parallel.planParallelRead({ path }, 256 << 20);
  batches = parallel.readGenerationsInParallel({ path }, index, { workers: 1, placement, maxGenerationBytes: 256 << 20 }, { onBatch() {}, onGeneration() {} }, report);
} else {
  const trace = await openTrace(path, workers > 1 ? { workers, placement } : {});
  batches = trace.batches();
}
for await (const batch of batches) {
  const kind = batch.kind;
  for (let i = 0; i < batch.length; i++) byKind[kind[i]]++;
  events += batch.length;
  if (hash) for (let i = 0; i < batch.length; i++) digest.update(batch.event(i).toString()).update('\n');
}
const seconds = (performance.now() - started) / 1000;
const bytes = statSync(path).size;
console.log(JSON.stringify({
  path, workers, placement, seconds: +seconds.toFixed(3), events, mbPerSec: +(bytes / 1e6 / seconds).toFixed(1),
  peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024), byKind: byKind.join(','),
  ...(hash ? { hash: digest.digest('hex') } : {}),
  ...(workers === 1 ? { warmUps: report.warmUps } : {}),
}));
