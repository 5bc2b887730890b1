// Parallel vs sequential decode throughput. Not a test (no timing is ever asserted).
// Usage: node test/parallel/support/bench-decode.mjs <trace> [workers=2] [analyses=none|all|name,name]  (env PLACEMENT=compact|numa|none)
// Runs the src/ tree compiled by the parallel tests (test/.generated/parallel-<hash>/src; run
// `npx vitest run test/parallel` first) or dist/ when SCHEDSCOPE_BENCH_ROOT=dist.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const repo = new URL('../../../', import.meta.url).pathname;
const [path, workersArg = '2', analysesArg = 'none'] = process.argv.slice(2);
let root;
if (process.env.SCHEDSCOPE_BENCH_ROOT === 'dist') root = join(repo, 'dist');
else {
  const generated = join(repo, 'test/.generated');
  const candidates = readdirSync(generated).filter((d) => d.startsWith('parallel-') && !d.endsWith('.tmp'));
  candidates.sort((a, b) => statSync(join(generated, b)).mtimeMs - statSync(join(generated, a)).mtimeMs);
  root = join(generated, candidates[0], 'src');
}
const url = (p) => pathToFileURL(join(root, p)).href;
const { openTrace } = await import(url('trace.js'));
const { analyze, ANALYSIS_NAMES } = await import(url('analysis/analyze.js'));
const { decodeGenerationsInParallel } = await import(url('parallel/parallel-decode.js'));
const size = statSync(path).size;
const analysisNames = analysesArg === 'none' ? [] : analysesArg === 'all' ? ANALYSIS_NAMES : analysesArg.split(',');
const withAnalyses = analysisNames.length > 0;

async function sequential() {
  if (withAnalyses) return (await analyze(path, { analyses: analysisNames })).trace.events;
  const trace = await openTrace(path);
  let events = 0;
  const byWire = new Array(256).fill(0);
  for await (const batch of trace.batches()) {
    for (let i = 0; i < batch.length; i++) byWire[batch.wireType[i]]++;
    events += batch.length;
  }
  return events;
}

async function parallel() {
  const result = await decodeGenerationsInParallel(path, {
    workers: Number(workersArg),
    placement: process.env.PLACEMENT ?? 'compact',
    modules: { workerEntry: url('parallel/worker-entry.js'), decodeTask: url('parallel/decode-task.js') },
    ...(withAnalyses ? { analyses: Object.fromEntries(analysisNames.map((n) => [n, {}])) } : {}),
  });
  return result.events;
}

for (const [name, run] of [['sequential', sequential], [`parallel x${workersArg}`, parallel]]) {
  const start = performance.now();
  const events = await run();
  const seconds = (performance.now() - start) / 1000;
  console.log(`${name.padEnd(14)} ${events} events  ${seconds.toFixed(2)} s  ${(size / 1e6 / seconds).toFixed(1)} MB/s  peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
}
