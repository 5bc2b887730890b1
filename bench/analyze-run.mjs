#!/usr/bin/env node
// Analysis throughput on one trace, each command in its own process under /usr/bin/time (wall time
// and peak RSS), interleaved run by run, median reported:
//   stat                      decode only (the baseline analyze is held to: ≥ 2/3 of its MB/s)
//   analyze                   every analysis, one pass
//   analyze --workers N       every analysis, generations on the pool (issue 4)
//   diagnose                  every rule (issue 6: ≤ 10% over analyze)
//   go tool trace -pprof=sched   Go's own tool on the same file (issue 5: analyze ≥ 10× faster)
//   analyze --analyses NAME   with --each: every analysis alone, to see what each one costs over
//                             decoding (footprint, the cheapest, stands for decoding plus the pass)
//
// node bench/analyze-run.mjs [--trace FILE] [--runs N] [--workers N] [--skip go,diagnose,...] [--each]
// Needs `npm run build` (runs dist/ through bin/schedscope.js). Prints a Markdown table and JSON.
import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: {
    trace: { type: 'string', default: join(root, 'bench/out/bench-200mb.trace') },
    runs: { type: 'string', default: '3' },
    workers: { type: 'string', default: '2' },
    skip: { type: 'string', default: '' },
    each: { type: 'boolean', default: false },
  },
});
const trace = values.trace;
const runs = Number(values.runs);
const skip = new Set(values.skip.split(',').filter(Boolean));
const bytes = statSync(trace).size;
const cli = join(root, 'bin/schedscope.js');
const node = process.execPath;

const commands = [
  { name: 'stat', argv: [node, cli, 'stat', trace, '--json'] },
  { name: 'analyze', argv: [node, cli, 'analyze', trace, '--json', '--no-progress'] },
  { name: `analyze --workers ${values.workers}`, key: 'parallel', argv: [node, cli, 'analyze', trace, '--json', '--no-progress', '--workers', values.workers] },
  { name: 'diagnose', argv: [node, cli, 'diagnose', trace, '--json', '--no-progress'] },
  { name: 'go tool trace -pprof=sched', key: 'go', argv: ['go', 'tool', 'trace', '-pprof=sched', trace] },
].filter((c) => !skip.has(c.key ?? c.name));
const ANALYSES = ['footprint', 'goroutines', 'schedLatency', 'profiles', 'gc', 'mmu', 'metrics', 'procs', 'annotations', 'cpuSamples'];
if (values.each) {
  for (const analysis of ANALYSES) {
    commands.push({ name: `analyze --analyses ${analysis}`, analysis, argv: [node, cli, 'analyze', trace, '--json', '--no-progress', '--analyses', analysis] });
  }
}

function measure(argv) {
  const result = spawnSync('/usr/bin/time', ['-f', '%e %M', ...argv], { encoding: 'utf8', maxBuffer: 1 << 30 });
  if (result.status !== 0) throw new Error(`${argv.join(' ')} failed (${result.status}): ${result.stderr.slice(-2000)}`);
  const [seconds, kb] = result.stderr.trim().split('\n').at(-1).split(' ').map(Number);
  return { seconds, peakRssMB: kb / 1024 };
}

const samples = new Map(commands.map((c) => [c.name, []]));
for (let r = 0; r < runs; r++) {
  for (const c of commands) {
    const m = measure(c.argv);
    samples.get(c.name).push(m);
    process.stderr.write(`run ${r + 1}/${runs} ${c.name}: ${m.seconds.toFixed(2)} s, ${m.peakRssMB.toFixed(0)} MB\n`);
  }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const rows = commands.map((c) => {
  const s = samples.get(c.name);
  const seconds = median(s.map((x) => x.seconds));
  return { command: c.name, seconds, mbPerSec: bytes / 1e6 / seconds, peakRssMB: Math.max(...s.map((x) => x.peakRssMB)), all: s.map((x) => x.seconds) };
});
const by = Object.fromEntries(rows.map((r) => [r.command, r]));
console.log(`trace ${trace}: ${(bytes / 1e6).toFixed(0)} MB, ${runs} run(s) each, median wall time (whole process)\n`);
console.log('| command | s | MB/s | peak RSS MB | runs (s) |\n| --- | ---: | ---: | ---: | --- |');
for (const r of rows) console.log(`| \`${r.command}\` | ${r.seconds.toFixed(2)} | ${r.mbPerSec.toFixed(1)} | ${r.peakRssMB.toFixed(0)} | ${r.all.map((x) => x.toFixed(2)).join(', ')} |`);
const ratios = {};
if (by.stat && by.analyze) ratios.analyzeOverStatThroughput = by.analyze.mbPerSec / by.stat.mbPerSec;
if (by.analyze && by[`analyze --workers ${values.workers}`]) ratios.parallelSpeedup = by.analyze.seconds / by[`analyze --workers ${values.workers}`].seconds;
if (by.analyze && by.diagnose) ratios.diagnoseOverAnalyze = by.diagnose.seconds / by.analyze.seconds;
if (by.analyze && by['go tool trace -pprof=sched']) ratios.analyzeSpeedupOverGoToolTrace = by['go tool trace -pprof=sched'].seconds / by.analyze.seconds;
if (values.each && by.stat && by['analyze --analyses footprint']) {
  // What analysis may cost for analyze to keep 2/3 of stat's throughput, against what each costs
  // alone over the cheapest one (analyses that share the goroutine tracker share most of it).
  const floor = by['analyze --analyses footprint'].seconds;
  ratios.analysisBudgetSeconds = (by.stat.seconds * 3) / 2 - floor;
  console.log('\n| analysis alone | s over footprint | analyze/stat throughput |\n| --- | ---: | ---: |');
  for (const r of rows.filter((row) => row.command.startsWith('analyze --analyses '))) {
    console.log(`| ${r.command.slice('analyze --analyses '.length)} | ${(r.seconds - floor).toFixed(2)} | ${(r.mbPerSec / by.stat.mbPerSec).toFixed(2)} |`);
  }
}
console.log('\n' + Object.entries(ratios).map(([k, v]) => `- ${k}: ${v.toFixed(2)}`).join('\n'));
console.log('\n' + JSON.stringify({ trace, bytes, runs, rows, ratios }));
