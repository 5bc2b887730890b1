#!/usr/bin/env node
// How much two independent copies of the same job slow each other down on this machine: the
// ceiling for any 2-worker speed-up, whatever the design (issue 4's target is 1.7x on 2 cores).
// Runs each job alone and as two simultaneous processes, interleaved, and reports the aggregate
// speed-up of the pair: 2 x (time alone) / (time of the pair). A pure ALU loop is the control: if
// it scales to ~2x while the trace jobs do not, the limit is shared memory bandwidth or cache.
//
//   node bench/contention.mjs [--trace FILE] [--runs N]
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: { trace: { type: 'string', default: join(root, 'bench/out/bench-200mb.trace') }, runs: { type: 'string', default: '2' } },
});
const runs = Number(values.runs);
const cli = join(root, 'bin/schedscope.js');
const jobs = [
  { name: 'ALU loop (control)', argv: [process.execPath, '-e', 'let x=0;for(let i=0;i<4e8;i++)x=(x*31+i)|0;console.log(x)'] },
  { name: '`stat` (decoding)', argv: [process.execPath, cli, 'stat', values.trace, '--json'] },
  {
    name: '`analyze --analyses goroutines`',
    argv: [process.execPath, cli, 'analyze', values.trace, '--json', '--no-progress', '--analyses', 'goroutines'],
  },
];

function runOnce(argv) {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'ignore', 'inherit'] });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(Number(process.hrtime.bigint() - start) / 1e9) : reject(new Error(`${argv.join(' ')}: exit ${code}`))));
  });
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const rows = [];
for (const job of jobs) {
  const alone = [];
  const paired = [];
  for (let r = 0; r < runs; r++) {
    alone.push(await runOnce(job.argv));
    const pair = await Promise.all([runOnce(job.argv), runOnce(job.argv)]);
    paired.push(Math.max(...pair));
  }
  const a = median(alone);
  const p = median(paired);
  rows.push({ job: job.name, aloneSeconds: a, pairSeconds: p, pairSpeedup: (2 * a) / p, alone, paired });
}

console.log(`Command: \`node bench/contention.mjs --trace ${values.trace} --runs ${runs}\` (median of ${runs})\n`);
console.log('| job | alone (s) | two at once (s, slower of the pair) | aggregate speed-up of the pair |');
console.log('| --- | ---: | ---: | ---: |');
for (const r of rows) console.log(`| ${r.job} | ${r.aloneSeconds.toFixed(2)} | ${r.pairSeconds.toFixed(2)} | ${r.pairSpeedup.toFixed(2)}× |`);
console.log(`\n${JSON.stringify(rows)}`);
