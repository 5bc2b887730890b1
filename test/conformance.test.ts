// Go's own reader test cases (internal/trace/testdata/tests/*.test, converted to bytes by
// test/support/text-trace.ts) and its fuzz corpus: SUCCESS cases must print exactly the oracle's
// events; FAILURE cases must raise a TraceFormatError after exactly the events Go produced.
// Fuzz inputs must end (no hang, no crash) the same way Go's reader does.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TraceFormatError, UnsupportedVersionError } from '../src/errors.js';
import { readGolden } from './support/fixtures.js';
import { goAvailable, requireGo } from './support/go.js';
import { disagreement, repoRoot, runOracleDump, type OracleDump } from './support/oracle.js';
import { readAll } from './support/read-all.js';
import { convertTestFile } from './support/text-trace.js';

const isTraceFormatError = (error: unknown): boolean => error instanceof TraceFormatError;

interface CommittedCase {
  name: string;
  tracePath: string;
  oracle: OracleDump;
}

function committedCases(dir: string): CommittedCase[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((file) => file.endsWith('.trace'))
    .sort()
    .map((file) => {
      const base = join(dir, file.slice(0, -'.trace'.length));
      const errorPath = `${base}.error`;
      return {
        name: file.slice(0, -'.trace'.length),
        tracePath: join(dir, file),
        oracle: {
          stdout: readGolden(`${base}.golden.gz`),
          error: existsSync(errorPath) ? readFileSync(errorPath, 'utf8').replace(/\n$/, '') : null,
        },
      };
    });
}

async function expectAgreement(source: string | Uint8Array, label: string, oracle: OracleDump): Promise<void> {
  const problem = disagreement(oracle, await readAll(source), isTraceFormatError);
  if (problem !== null) expect.fail(`${label}: ${problem}`);
}

const conformanceDir = join(repoRoot(), 'test', 'conformance', 'traces');
const fuzzDir = join(repoRoot(), 'test', 'conformance', 'fuzz');

// Go's expectations for its own cases; the generator checks that the oracle honours them.
const EXPECTED_FAILURES = new Set(['go122-create-syscall-with-p', 'go122-fail-first-gen-first']);

describe("Go's reader test cases", () => {
  const cases = committedCases(conformanceDir);

  it('are committed, with Go failing exactly the FAILURE cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(22);
    expect(cases.filter((c) => c.oracle.error !== null).map((c) => c.name)).toEqual([...EXPECTED_FAILURES].sort());
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s', async (name, testCase) => {
    if (EXPECTED_FAILURES.has(name)) {
      const outcome = await readAll(testCase.tracePath);
      expect(outcome.error, 'a FAILURE case must raise a TraceFormatError').toBeInstanceOf(TraceFormatError);
    }
    await expectAgreement(testCase.tracePath, name, testCase.oracle);
  });
});

describe("Go's reader fuzz corpus", () => {
  const cases = committedCases(fuzzDir);

  it('is committed', () => {
    expect(cases.length).toBeGreaterThan(0);
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s', async (name, testCase) => {
    const bytes = readFileSync(testCase.tracePath);
    if (LEGACY_HEADER.test(bytes.subarray(0, 16).toString('latin1'))) {
      // schedscope does not read the legacy (Go 1.11–1.21) format: such inputs must be refused
      // cleanly at byte 0, where Go would go on to parse them (see README, "Formats").
      const outcome = await readAll(bytes);
      expect(outcome.error).toBeInstanceOf(UnsupportedVersionError);
      expect((outcome.error as UnsupportedVersionError).offset).toBe(0);
      expect(outcome.lines).toEqual([]);
      return;
    }
    await expectAgreement(testCase.tracePath, name, testCase.oracle);
  });
});

const LEGACY_HEADER = /^go 1\.(11|19|21) trace\0/;

describe.runIf(goAvailable() || process.env.CI === 'true')('test cases of the installed Go toolchain', () => {
  it('all agree with the oracle, including cases newer than the committed ones', async () => {
    if (!requireGo()) return;
    const goroot = execFileSync('go', ['env', 'GOROOT'], { encoding: 'utf8' }).trim();
    const testsDir = join(goroot, 'src', 'internal', 'trace', 'testdata', 'tests');
    const fresh = readdirSync(testsDir)
      .filter((file) => file.endsWith('.test'))
      .map((file) => file.slice(0, -'.test'.length))
      .filter((name) => !existsSync(join(conformanceDir, `${name}.trace`)));
    if (fresh.length === 0) return; // every case is already covered by the committed ones above
    const scratch = await mkdtemp(join(tmpdir(), 'schedscope-conformance-'));
    try {
      for (const name of fresh) {
        const converted = convertTestFile(readFileSync(join(testsDir, `${name}.test`), 'utf8'));
        const tracePath = join(scratch, `${name}.trace`);
        await writeFile(tracePath, converted.bytes);
        const oracle = await runOracleDump(tracePath);
        expect(oracle.error === null, `${name}: Go's verdict matches the case's expectation`).toBe(converted.expect.ok);
        await expectAgreement(tracePath, name, oracle);
      }
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  });
});
