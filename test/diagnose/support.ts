// Builds the before/after Go programs in test/fixtures/diagnose with one `go build` and runs the
// ones a test file needs, two at a time, to write a trace (first argument) or a GODEBUG log
// (stderr). Results are cached per test file.
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const FIXTURE_DIR = join(import.meta.dirname, '..', 'fixtures', 'diagnose');

export const PROGRAMS = [
  'gc-before',
  'gc-after',
  'syscall-before',
  'syscall-after',
  'schedlat-before',
  'schedlat-after',
  'explosion-before',
  'explosion-after',
  'chan-before',
  'chan-after',
  'locked-before',
  'locked-after',
  'annotations-before',
  'annotations-after',
  'imbalance-before',
  'imbalance-after',
  'hog-before',
  'hog-after',
  'heap-before',
  'heap-after',
  'churn-before',
  'churn-after',
  'healthy',
] as const;
export type ProgramName = (typeof PROGRAMS)[number];

/** The GODEBUG settings the logs are written with (5 ms samples: the programs run 10–700 ms). */
export const GODEBUG_SETTINGS = 'schedtrace=5,gctrace=1';
/**
 * scheddetail=1 lists every G and M under the scheduler lock at each sample, which slows the
 * runtime's own thread hand-off; only the programs whose evidence needs it (locked Ms, goroutine
 * counts) are run with it.
 */
export const DETAIL_PROGRAMS: ReadonlySet<ProgramName> = new Set(['locked-before', 'locked-after', 'explosion-before', 'explosion-after', 'churn-before', 'churn-after', 'healthy']);

let binDir: string | undefined;

function build(): string {
  if (binDir) return binDir;
  const dir = mkdtempSync(join(tmpdir(), 'schedscope-diagnose-'));
  execFileSync('go', ['build', '-o', join(dir, 'bin') + '/', './...'], { cwd: FIXTURE_DIR, stdio: 'inherit' });
  binDir = dir;
  return dir;
}

async function runAll(names: readonly ProgramName[], kind: 'trace' | 'log'): Promise<Record<ProgramName, string>> {
  const dir = build();
  const out = {} as Record<ProgramName, string>;
  // One at a time: the programs measure scheduling (thread growth needs sysmon to get CPU).
  const queue = [...names];
  async function worker(): Promise<void> {
    for (let name = queue.shift(); name !== undefined; name = queue.shift()) {
      const trace = join(dir, `${name}.${kind}.trace`);
      const exe = join(dir, 'bin', name);
      if (kind === 'trace') {
        await run(exe, [trace], { timeout: 30_000 });
        out[name] = trace;
      } else {
        const { stderr } = await run(exe, [trace], { timeout: 30_000, maxBuffer: 256 * 1024 * 1024, env: { ...process.env, GODEBUG: DETAIL_PROGRAMS.has(name) ? `${GODEBUG_SETTINGS},scheddetail=1` : GODEBUG_SETTINGS } });
        const log = join(dir, `${name}.log`);
        writeFileSync(log, stderr);
        out[name] = log;
      }
    }
  }
  await worker();
  return out;
}

/** Path of each named program's trace. */
export function fixtureTraces(names: readonly ProgramName[] = PROGRAMS): Promise<Record<ProgramName, string>> {
  return runAll(names, 'trace');
}

/** Path of each named program's GODEBUG log (its stderr under GODEBUG_SETTINGS). */
export function fixtureLogs(names: readonly ProgramName[] = PROGRAMS): Promise<Record<ProgramName, string>> {
  return runAll(names, 'log');
}

/** Removes the binaries, traces and logs this test file produced (call from afterAll). */
export function cleanupFixtures(): void {
  if (binDir) rmSync(binDir, { recursive: true, force: true });
  binDir = undefined;
}
