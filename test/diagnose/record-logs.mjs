#!/usr/bin/env node
// Records the GODEBUG logs of the before/after programs in test/fixtures/diagnose into
// test/diagnose/logs/<program>.log.gz, the input of recorded-logs.test.ts. Run it on a quiet
// machine (the programs measure scheduling; thread growth needs sysmon to get CPU):
//   node test/diagnose/record-logs.mjs [program...]
// Settings as test/diagnose/support.ts: GODEBUG=schedtrace=5,gctrace=1, plus scheddetail=1 for the
// programs whose evidence needs per-G/M lines.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { FIXTURES, sourceHashes } from './log-sources.mjs';

const here = import.meta.dirname;
const fixtures = FIXTURES;
const DETAIL = new Set(['locked-before', 'locked-after', 'explosion-before', 'explosion-after', 'churn-before', 'churn-after', 'healthy']);
const all = ['gc', 'syscall', 'schedlat', 'explosion', 'chan', 'locked', 'annotations', 'imbalance', 'hog', 'heap', 'churn'].flatMap((n) => [`${n}-before`, `${n}-after`]).concat('healthy');
const programs = process.argv.length > 2 ? process.argv.slice(2) : all;

const dir = mkdtempSync(join(tmpdir(), 'schedscope-record-'));
try {
  execFileSync('go', ['build', '-o', join(dir, 'bin') + '/', './...'], { cwd: fixtures, stdio: 'inherit' });
  for (const name of programs) {
    const godebug = `schedtrace=5,gctrace=1${DETAIL.has(name) ? ',scheddetail=1' : ''}`;
    const run = spawnSync(join(dir, 'bin', name), [join(dir, `${name}.trace`)], { env: { ...process.env, GODEBUG: godebug }, maxBuffer: 1 << 28 });
    if (run.status !== 0) throw new Error(`${name} exited with ${run.status}: ${run.stderr.toString().slice(-1000)}`);
    const stderr = run.stderr.toString();
    const out = join(here, 'logs', `${name}.log.gz`);
    writeFileSync(out, gzipSync(stderr, { level: 9 }));
    console.log(`${name}: ${stderr.length} bytes of log → ${out}`);
  }
  // What each log was recorded from, so the suite notices a program changed since.
  const sourcesFile = join(here, 'logs', 'sources.json');
  const sources = existsSync(sourcesFile) ? JSON.parse(readFileSync(sourcesFile, 'utf8')) : {};
  writeFileSync(sourcesFile, JSON.stringify({ ...sources, ...sourceHashes(programs) }, null, 2) + '\n');
} finally {
  rmSync(dir, { recursive: true, force: true });
}
