// Real-trace fixtures: Go programs under test/fixtures/<program>/ traced by the real runtime.
// Committed results live in test/fixtures/traces/ (trace bytes + the oracle's golden output);
// generateFreshFixture reruns a program so CI also checks traces from the toolchain it has.
//
// scripts/gen-fixtures.mjs loads this file by transpiling it: keep imports to node: modules and
// ./oracle.js.
import { existsSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { GENERATED_DIR, repoRoot, runProcess } from './oracle.js';

export interface FixtureProgram {
  name: string;
  /** What the program exercises, for humans. */
  description: string;
  /** Extra environment for the traced run (GODEBUG knobs). */
  env?: Record<string, string>;
  /**
   * Regular expressions the oracle's output must match: what the program is there to cover. Timing
   * decides some of it (e.g. a generation starting mid-GC), so the generator retries until all match.
   */
  mustContain?: readonly string[];
  /** Where the committed trace lives; defaults to test/fixtures/traces/<name>.trace. */
  committedTrace?: string;
}

export const FIXTURES_DIR = join(repoRoot(), 'test', 'fixtures');
export const FIXTURE_TRACES_DIR = join(FIXTURES_DIR, 'traces');

export const FIXTURE_PROGRAMS: readonly FixtureProgram[] = [
  {
    name: 'sync-primitives',
    description: 'channels, select, Mutex/RWMutex, Cond, WaitGroup, sleep, timers; tasks and regions',
    mustContain: ['Reason="chan receive"', 'Reason="chan send"', 'Reason="select"', 'Reason="sync"', 'Reason="sync.\\(\\*Cond\\).Wait"',
      'Reason="sleep"', 'NotExist->Runnable', 'Running->NotExist', ' TaskBegin ', ' RegionBegin '],
  },
  {
    name: 'net-syscall',
    description: 'loopback TCP echo, file I/O, pipes (raw read(2) and poller), LockOSThread',
    mustContain: ['Reason="network"', 'Running->Syscall', 'Syscall->Runnable'],
  },
  {
    name: 'gc-gomaxprocs',
    description: 'allocation-heavy goroutines, mark assists, runtime.GC() STW, GOMAXPROCS changes',
    mustContain: ['Name="GC mark assist"', 'Name="GC concurrent mark phase"', 'Name="stop-the-world \\(GC mark termination\\)"',
      'Name="stop-the-world \\(GOMAXPROCS\\)"', 'Name="GC incremental sweep"', 'Name="/gc/heap/goal:bytes"', 'Label="GC \\('],
  },
  { name: 'cpu-profile', description: 'CPU profile samples from pprof.StartCPUProfile during the trace', mustContain: [' StackSample '] },
  {
    name: 'cgo-callback',
    description: 'cgo calls and C-thread callbacks into Go (GoCreateSyscall/GoDestroySyscall)',
    mustContain: ['NotExist->Syscall', 'Syscall->NotExist'],
  },
  {
    name: 'flight-recorder',
    description: 'runtime/trace.FlightRecorder snapshot written mid-run with WriteTo (first generation > 1)',
    env: { GODEBUG: 'traceadvanceperiod=2000000' },
    mustContain: [' TaskBegin ', ' Log ', 'Undetermined->Waiting'],
  },
  {
    name: 'allocfree',
    description: 'AllocFree experimental events',
    // One P: with two, the background sweeper can spin and bloat the trace (see gc-gomaxprocs).
    env: { GODEBUG: 'traceallocfree=1', GOMAXPROCS: '1' },
    mustContain: ['Name=HeapObjectAlloc', 'Name=HeapObjectFree', 'Name=SpanAlloc', 'Name=GoroutineStackAlloc', 'Name=HeapObject '],
  },
  {
    name: 'iter-pull',
    description: 'iter.Pull coroutines (GoCreateBlocked, GoSwitch, GoSwitchDestroy)',
    mustContain: ['NotExist->Waiting'],
  },
  {
    name: 'generations',
    description: 'many short generations with tasks, regions, blocked and syscalling goroutines and GC across them',
    env: { GODEBUG: 'traceadvanceperiod=5000000', GOMAXPROCS: '1' },
    mustContain: [' Sync .* N=5', 'RangeActive .*Name="GC concurrent mark phase"', ' TaskEnd ', ' RegionBegin '],
  },
  {
    name: 'gc-active',
    description: 'generations that begin mid-GC: mark phase, mark assists and sweeps already in progress',
    env: { GODEBUG: 'traceadvanceperiod=250000', GOGC: '20' },
    mustContain: ['RangeActive .*Name="GC concurrent mark phase"', 'RangeActive .*Name="GC mark assist"',
      'RangeActive .*Name="GC incremental sweep"'],
  },
  {
    name: 'syscall-gens',
    description: 'blocking syscalls across generation boundaries and at trace start; Ps stolen from them',
    env: { GODEBUG: 'traceadvanceperiod=1000000' },
    mustContain: ['GoID=\\d+ Undetermined->Syscall', 'GoID=\\d+ Syscall->Syscall'],
  },
  {
    name: 'http-server',
    description: 'HTTP server and clients on loopback, GC, tasks/regions/logs (the README sample)',
    committedTrace: 'samples/http-server.trace',
    mustContain: ['Reason="network"', ' TaskBegin ', ' RegionBegin ', ' Log ', 'Name="GC concurrent mark phase"'],
  },
];

/** The patterns of a program that a golden lacks (empty when it shows everything it should). */
export function missingCoverage(program: FixtureProgram, golden: string): string[] {
  return (program.mustContain ?? []).filter((pattern) => !new RegExp(pattern, 'm').test(golden));
}

export interface CommittedFixture {
  name: string;
  tracePath: string;
  goldenPath: string;
  /** The oracle's error message for this trace, or null when Go reads it to the end. */
  expectedError: string | null;
}

/** Reads a golden file (the oracle's stdout), gzipped (`.golden.gz`) or plain. */
export function readGolden(goldenPath: string): string {
  const bytes = readFileSync(goldenPath);
  return (goldenPath.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('utf8');
}

export function committedTracePath(program: FixtureProgram): string {
  return program.committedTrace === undefined
    ? join(FIXTURE_TRACES_DIR, `${program.name}.trace`)
    : join(repoRoot(), program.committedTrace);
}

function readExpectedError(path: string): string | null {
  return existsSync(path) ? readFileSync(path, 'utf8').replace(/\n$/, '') : null;
}

/** The committed fixtures (those whose trace and golden files exist). */
export function committedFixtures(): CommittedFixture[] {
  return FIXTURE_PROGRAMS.flatMap((program) => {
    const tracePath = committedTracePath(program);
    const goldenPath = join(FIXTURE_TRACES_DIR, `${program.name}.golden.gz`);
    if (!existsSync(tracePath) || !existsSync(goldenPath)) return [];
    const expectedError = readExpectedError(join(FIXTURE_TRACES_DIR, `${program.name}.error`));
    return [{ name: program.name, tracePath, goldenPath, expectedError }];
  });
}

export function fixtureProgram(name: string): FixtureProgram {
  const program = FIXTURE_PROGRAMS.find((candidate) => candidate.name === name);
  if (program === undefined) throw new Error(`no fixture program named ${name}`);
  return program;
}

/** Builds a fixture program into test/.generated/fixtures (cgo needs a C compiler). */
export async function buildFixtureProgram(name: string): Promise<string> {
  fixtureProgram(name);
  const binDir = join(GENERATED_DIR, 'fixtures');
  await mkdir(binDir, { recursive: true });
  const binary = join(binDir, name);
  // go build writes to a temporary file and renames it into place itself.
  const result = await runProcess('go', ['build', '-trimpath', '-o', binary, `./${name}`], { cwd: FIXTURES_DIR });
  if (result.exitCode !== 0) throw new Error(`building fixture ${name} failed:\n${result.stderr}`);
  return binary;
}

/** Runs a fixture program with the real Go runtime, writing outDir/<name>.trace; returns that path. */
export async function generateFreshFixture(name: string, outDir: string): Promise<string> {
  const program = fixtureProgram(name);
  const binary = await buildFixtureProgram(name);
  await mkdir(outDir, { recursive: true });
  const tracePath = join(outDir, `${name}.trace`);
  const env: NodeJS.ProcessEnv = { ...process.env, ...program.env };
  // A GODEBUG inherited from the caller must not switch on or off experiments silently.
  if (program.env?.GODEBUG === undefined) delete env.GODEBUG;
  const result = await runProcess(binary, [tracePath], { env, timeoutMs: 60_000 });
  if (result.exitCode !== 0) throw new Error(`fixture ${name} exited ${result.exitCode}:\n${result.stderr}`);
  return tracePath;
}
