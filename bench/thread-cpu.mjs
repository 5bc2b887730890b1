#!/usr/bin/env node
// CPU time per thread of one command (Linux): where a parallel run's CPU goes (pool workers, the
// merging main thread, V8's helper threads, libuv's), which wall time and total user time hide.
// Samples /proc/<pid>/task/*/stat every 100 ms while the command runs and prints each thread's
// last reading (a thread that ends between two samples loses at most 100 ms of its count).
//
//   node bench/thread-cpu.mjs [--top N] -- node bin/schedscope.js analyze bench/out/bench-1gib.trace --workers 2 --json
//
// Threads are named by /proc's `comm` (Node's are all "node"; the busiest two of a 2-worker run are
// the workers, the thread whose id is the process id is the main thread).
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({ options: { top: { type: 'string', default: '12' } }, allowPositionals: true });
if (positionals.length === 0) {
  process.stderr.write('usage: node bench/thread-cpu.mjs [--top N] -- <command> [args...]\n');
  process.exit(2);
}
// Clock ticks per second of /proc's utime and stime (USER_HZ: 100 on every Linux build in use).
const TICKS_PER_SECOND = 100;

const child = spawn(positionals[0], positionals.slice(1), { stdio: ['ignore', 'ignore', 'inherit'] });
const started = process.hrtime.bigint();
/** tid → { name, ticks } at the last sample. */
const threads = new Map();

function sample() {
  let tids;
  try {
    tids = readdirSync(`/proc/${child.pid}/task`);
  } catch {
    return; // the process has exited
  }
  for (const tid of tids) {
    try {
      const stat = readFileSync(`/proc/${child.pid}/task/${tid}/stat`, 'utf8');
      // Fields after the parenthesised name: state is field 3, utime 14, stime 15.
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ticks = Number(rest[11]) + Number(rest[12]);
      const name = readFileSync(`/proc/${child.pid}/task/${tid}/comm`, 'utf8').trim();
      threads.set(tid, { name, ticks });
    } catch {
      // the thread ended between listing and reading
    }
  }
}

const timer = setInterval(sample, 100);
const code = await new Promise((resolve) => child.on('exit', (status) => resolve(status ?? 1)));
clearInterval(timer);
const wall = Number(process.hrtime.bigint() - started) / 1e9;

const rows = [...threads.entries()].map(([tid, { name, ticks }]) => ({ tid, name: tid === String(child.pid) ? `${name} (main)` : name, seconds: ticks / TICKS_PER_SECOND }));
rows.sort((a, b) => b.seconds - a.seconds);
const total = rows.reduce((sum, row) => sum + row.seconds, 0);
process.stdout.write(`command: ${positionals.join(' ')}\nexit ${code}, wall ${wall.toFixed(2)} s, CPU ${total.toFixed(2)} s over ${rows.length} threads\n\n`);
process.stdout.write('| thread | CPU s |\n| --- | ---: |\n');
for (const row of rows.slice(0, Number(values.top))) process.stdout.write(`| ${row.tid} ${row.name} | ${row.seconds.toFixed(2)} |\n`);
process.stdout.write(`\n${JSON.stringify({ wallSeconds: wall, cpuSeconds: total, threads: rows })}\n`);
process.exitCode = code;
