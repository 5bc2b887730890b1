// schedscope must print exactly what Go's reader prints (golang.org/x/exp/trace, the same output
// as `go tool trace -d=parsed`) for real traces: the committed fixtures, and traces freshly made
// by the installed toolchain so a new Go release or runtime behaviour is noticed.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TraceFormatError } from '../src/errors.js';
import { committedFixtures, FIXTURE_PROGRAMS, fixtureProgram, generateFreshFixture, missingCoverage, readGolden } from './support/fixtures.js';
import { goAvailable, requireGo } from './support/go.js';
import { disagreement, runOracleDump, type OracleDump } from './support/oracle.js';
import { readAll } from './support/read-all.js';

const isTraceFormatError = (error: unknown): boolean => error instanceof TraceFormatError;

async function expectAgreement(tracePath: string, oracle: OracleDump): Promise<void> {
  const problem = disagreement(oracle, await readAll(tracePath), isTraceFormatError);
  if (problem !== null) expect.fail(`${tracePath}: ${problem}`);
}

describe('committed real-trace fixtures agree with the oracle', () => {
  const fixtures = committedFixtures();

  it('are all present', () => {
    expect(fixtures.map((fixture) => fixture.name).sort()).toEqual(FIXTURE_PROGRAMS.map((program) => program.name).sort());
  });

  it.each(fixtures.map((fixture) => [fixture.name, fixture] as const))('%s covers what it is meant to', (name, fixture) => {
    expect(missingCoverage(fixtureProgram(name), readGolden(fixture.goldenPath))).toEqual([]);
  });

  it.each(fixtures.map((fixture) => [fixture.name, fixture] as const))('%s', async (_name, fixture) => {
    await expectAgreement(fixture.tracePath, { stdout: readGolden(fixture.goldenPath), error: fixture.expectedError });
  });
});

// Programs rerun on every CI run: plain scheduling, several generations, coroutines and cgo.
const FRESH_PROGRAMS = ['sync-primitives', 'generations', 'iter-pull'];

describe.runIf(goAvailable() || process.env.CI === 'true')('fresh traces from the installed Go toolchain', () => {
  let outDir = '';

  beforeAll(async () => {
    requireGo();
    outDir = await mkdtemp(join(tmpdir(), 'schedscope-fresh-'));
  });

  afterAll(async () => {
    if (outDir !== '') await rm(outDir, { recursive: true, force: true });
  });

  it.each(FRESH_PROGRAMS)('%s', async (name) => {
    const tracePath = await generateFreshFixture(name, outDir);
    const oracle = await runOracleDump(tracePath);
    expect(oracle.error, 'Go reads its own fresh trace without error').toBeNull();
    await expectAgreement(tracePath, oracle);
  });
});
