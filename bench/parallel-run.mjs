// Parallel vs sequential decode through openTrace: each configuration in its own child process
// (bench/parallel-child.mjs, so peak RSS is per configuration), runs interleaved, median of --runs.
//   node bench/parallel-run.mjs [--trace bench/out/bench-1gib.trace] [--runs 3] [--workers 0,1,2]
// workers 0 = sequential openTrace; 1 = the pool with one worker; N ≥ 2 = openTrace({ workers: N }).
// Prints a Markdown table (MB/s, events/s, peak RSS, speed-up vs sequential) and the raw runs.
import { execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const at = args.indexOf(`--${name}`);
  return at >= 0 ? args[at + 1] : fallback;
};
const trace = option('trace', 'bench/out/bench-1gib.trace');
const runs = Number(option('runs', '3'));
const configs = option('workers', '0,1,2').split(',').map(Number);
const child = new URL('./parallel-child.mjs', import.meta.url).pathname;
const results = new Map(configs.map((w) => [w, []]));
for (let run = 0; run < runs; run++) {
  for (const workers of configs) {
    const out = execFileSync(process.execPath, [child, trace, String(workers)], { encoding: 'utf8', env: process.env, maxBuffer: 1 << 20 });
    const line = JSON.parse(out.trim().split('\n').pop());
    results.get(workers).push(line);
    console.error(`run ${run + 1}/${runs} workers=${workers}: ${line.seconds} s, ${line.mbPerSec} MB/s, peak RSS ${line.peakRssMB} MB`);
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const counts = new Set([...results.values()].flat().map((r) => `${r.events}/${r.byKind}`));
if (counts.size !== 1) throw new Error(`configurations disagree on the events: ${[...counts].join(' | ')}`);
const bytes = statSync(trace).size;
const base = median(results.get(configs[0]).map((r) => r.seconds));
console.log(`trace: ${trace} (${(bytes / 1e6).toFixed(0)} MB, ${[...results.values()][0][0].events} events), ${runs} runs, median`);
console.log('| configuration | seconds | MB/s | events/s | peak RSS | speed-up | runs (s) |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: | --- |');
for (const [workers, rs] of results) {
  const s = median(rs.map((r) => r.seconds));
  const name = workers === 0 ? 'sequential' : workers === 1 ? 'pool, 1 worker' : `openTrace({ workers: ${workers} })`;
  console.log(`| ${name} | ${s.toFixed(2)} | ${(bytes / 1e6 / s).toFixed(1)} | ${(rs[0].events / s / 1e6).toFixed(2)} M | ${median(rs.map((r) => r.peakRssMB))} MB | ${(base / s).toFixed(2)}× | ${rs.map((r) => r.seconds).join(', ')} |`);
}
