// `npm run bench`: schedscope's columnar path, its events() path, Event objects made inside each
// batch, and Go's reader
// (golang.org/x/exp/trace via test/oracle `count`) on the same file in the same run, each in its
// own child process (peak RSS per path), repeated and reported as medians.
//   node bench/run.mjs [--trace <file>] [--runs N] [--huge] [--write]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync, statSync, createReadStream } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { measureVarintSpeed } from './varint-speed.mjs';

const benchDir = dirname(fileURLToPath(import.meta.url));
const root = join(benchDir, '..');
const outDir = join(benchDir, 'out');
mkdirSync(outDir, { recursive: true });

const argv = process.argv.slice(2);
const option = (name) => {
  const index = argv.indexOf(name);
  return index >= 0 ? argv[index + 1] : undefined;
};
const huge = argv.includes('--huge');
const write = argv.includes('--write');
const runs = Number(option('--runs') ?? 3);

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { cwd: root, encoding: 'utf8', maxBuffer: 1 << 26, ...options });
  if (result.error) throw result.error;
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${result.status}\n${result.stderr}`);
  return result.stdout;
}

function generate(path, size) {
  const generator = join(outDir, 'gen-huge');
  run('go', ['build', '-o', generator, '.'], { cwd: join(benchDir, 'gen-huge') });
  process.stderr.write(`bench: generating ${size} trace at ${relative(root, path)}\n`);
  const report = JSON.parse(run(generator, ['-q', '-bytes', size, '-o', path]));
  process.stderr.write(`bench: wrote ${(report.bytes / 1e6).toFixed(0)} MB at ${report.mbPerSec.toFixed(1)} MB/s\n`);
  return report;
}

function buildOracle() {
  const binary = join(outDir, 'oracle');
  run('go', ['build', '-o', binary, '.'], { cwd: join(root, 'test', 'oracle') });
  return binary;
}

async function warmPageCache(path) {
  for await (const _ of createReadStream(path, { highWaterMark: 8 << 20 }));
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

async function measure(tracePath) {
  const oracle = buildOracle();
  await warmPageCache(tracePath);
  const paths = {
    columnar: () => run(process.execPath, [join(benchDir, 'decode-child.mjs'), 'columnar', tracePath]),
    events: () => run(process.execPath, [join(benchDir, 'decode-child.mjs'), 'events', tracePath]),
    batchObjects: () => run(process.execPath, [join(benchDir, 'decode-child.mjs'), 'batch-objects', tracePath]),
    go: () => run(oracle, ['count', tracePath]),
  };
  const samples = { columnar: [], events: [], batchObjects: [], go: [] };
  // Interleaved so slow drift of a noisy machine hits every path alike.
  for (let round = 1; round <= runs; round++) {
    for (const [name, runPath] of Object.entries(paths)) {
      const result = JSON.parse(runPath().trim().split('\n').pop());
      samples[name].push(result);
      process.stderr.write(`bench: run ${round}/${runs} ${name}: ${result.mbPerSec.toFixed(1)} MB/s, ${(result.maxRssKB / 1024).toFixed(0)} MB RSS\n`);
    }
  }
  const events = new Set(Object.values(samples).flat().map((s) => s.events));
  if (events.size !== 1) throw new Error(`paths disagree on the event count: ${[...events].join(', ')}`);
  const summary = {};
  for (const [name, list] of Object.entries(samples)) {
    summary[name] = {
      mbPerSec: median(list.map((s) => s.mbPerSec)),
      eventsPerSec: median(list.map((s) => s.eventsPerSec)),
      maxRssMB: median(list.map((s) => s.maxRssKB)) / 1024,
      runs: list.map((s) => Number(s.mbPerSec.toFixed(1))),
    };
  }
  return { events: [...events][0], bytes: statSync(tracePath).size, summary };
}

function statPeakRss(tracePath) {
  // /usr/bin/time reports the child's peak RSS from wait4(), so nothing inside the CLI is needed.
  if (!existsSync('/usr/bin/time')) return null;
  const timeFile = join(outDir, 'stat-time.txt');
  const started = Date.now();
  const stdout = run('/usr/bin/time', ['-f', '%M', '-o', timeFile, process.execPath, join(root, 'bin', 'schedscope.js'), 'stat', tracePath, '--json']);
  const peakKB = Number(readFileSync(timeFile, 'utf8').trim().split('\n').pop());
  return { peakRssMB: peakKB / 1024, seconds: (Date.now() - started) / 1000, stat: JSON.parse(stdout) };
}

function machine() {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  const model = /model name\s*:\s*(.*)/.exec(cpuinfo)?.[1] ?? cpus()[0]?.model ?? 'unknown';
  return { nproc: cpus().length, cpu: model, node: process.version, go: run('go', ['version']).trim() };
}

function table(result, varint) {
  const go = result.summary.go;
  const lines = [
    `| path | MB/s (median) | events/s | peak RSS | vs Go MB/s | runs (MB/s) |`,
    `| --- | ---: | ---: | ---: | ---: | --- |`,
  ];
  const labels = { columnar: 'schedscope batches() (columnar)', events: 'schedscope events() (objects)', batchObjects: 'schedscope `for (const e of batch)` (objects, no promise per event)', go: "Go reader (x/exp/trace)" };
  for (const [name, s] of Object.entries(result.summary)) {
    lines.push(
      `| ${labels[name]} | ${s.mbPerSec.toFixed(1)} | ${(s.eventsPerSec / 1e6).toFixed(2)} M | ${s.maxRssMB.toFixed(0)} MB | ${(s.mbPerSec / go.mbPerSec).toFixed(2)}× | ${s.runs.join(', ')} |`,
    );
  }
  if (varint) {
    lines.push(`| raw LEB128 varints, JS | ${varint.js.mbPerSec.toFixed(0)} | ${(varint.varints / varint.js.seconds / 1e6).toFixed(0)} M varints | – | ${(varint.js.mbPerSec / go.mbPerSec).toFixed(1)}× | |`);
    lines.push(`| raw LEB128 varints, WASM | ${varint.wasm.mbPerSec.toFixed(0)} | ${(varint.varints / varint.wasm.seconds / 1e6).toFixed(0)} M varints | – | ${(varint.wasm.mbPerSec / go.mbPerSec).toFixed(1)}× | |`);
  }
  return lines.join('\n');
}

const tracePath =
  option('--trace') ?? join(outDir, huge ? 'huge-2gib.trace' : 'bench-200mb.trace');
if (!existsSync(tracePath)) {
  if (option('--trace') !== undefined) throw new Error(`no such trace: ${tracePath}`);
  generate(tracePath, huge ? '2GiB' : '200MB');
}
run('npm', ['run', '--silent', 'build', '--', 'wasm', 'ts']);

const result = await measure(tracePath);
const varint = await measureVarintSpeed(tracePath);
const stat = huge ? statPeakRss(tracePath) : null;
const command = `node bench/run.mjs ${argv.join(' ')}`.trim();
const info = machine();

let report = `### ${new Date().toISOString().slice(0, 10)} — ${relative(root, tracePath)} (${(result.bytes / 1e6).toFixed(0)} MB, ${result.events} events)\n\n`;
report += `Command: \`${command}\` — ${runs} runs per path, median; page cache warm.\n`;
report += `Machine: ${info.nproc} CPUs, ${info.cpu}; Node ${info.node}; ${info.go}.\n\n`;
report += `${table(result, varint)}\n`;
if (stat) {
  report += `\n\`schedscope stat ${relative(root, tracePath)} --json\`: peak RSS ${stat.peakRssMB.toFixed(0)} MB ` +
    `(limit 250 MB: ${stat.peakRssMB < 250 ? 'within' : 'EXCEEDED'}), ${stat.seconds.toFixed(1)} s wall.\n`;
}
process.stdout.write(`\n${report}`);

if (write) {
  const resultsPath = join(benchDir, 'RESULTS.md');
  const marker = `<!-- bench:${huge ? 'huge' : 'default'} -->`;
  const existing = existsSync(resultsPath) ? readFileSync(resultsPath, 'utf8') : '# Benchmark results\n\nWritten by `node bench/run.mjs --write`; see bench/README.md.\n';
  const section = `${marker}\n${report}${marker}\n`;
  const pattern = new RegExp(`${marker}[\\s\\S]*?${marker}\\n`);
  writeFileSync(resultsPath, pattern.test(existing) ? existing.replace(pattern, section) : `${existing}\n${section}`);
  process.stderr.write(`bench: results written to ${relative(root, resultsPath)}\n`);
}
