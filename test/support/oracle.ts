// The reference reader: test/oracle (Go, golang.org/x/exp/trace) built once into
// test/.generated/oracle and run on trace files. Its `dump` output is byte-identical to
// `go tool trace -d=parsed`.
//
// Imports only node: modules so scripts/gen-fixtures.mjs can load this file by transpiling it.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: the nearest ancestor holding schedscope's package.json. */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'schedscope') {
      return dir;
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the schedscope repository root');
    dir = parent;
  }
}

export const ORACLE_SOURCE_DIR = join(repoRoot(), 'test', 'oracle');
export const GENERATED_DIR = join(repoRoot(), 'test', '.generated');
export const ORACLE_BINARY = join(GENERATED_DIR, 'oracle');

const ORACLE_SOURCES = ['main.go', 'go.mod', 'go.sum'];

export interface ProcessResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/** Runs a command to completion; never rejects for a non-zero exit (callers decide). */
export function runProcess(
  command: string,
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    execFile(
      command,
      args,
      { cwd: options.cwd, env: options.env, timeout: options.timeoutMs ?? 300_000, maxBuffer: 1 << 30, encoding: 'utf8' },
      (error, stdout, stderr) => {
        if (error !== null && typeof error.code !== 'number') {
          reject(new Error(`${command} ${args.join(' ')} failed to run: ${error.message}\n${stderr}`));
          return;
        }
        resolve({ stdout, stderr, exitCode: error === null ? 0 : Number(error.code) });
      },
    );
  });
}

function binaryIsFresh(): boolean {
  if (!existsSync(ORACLE_BINARY)) return false;
  const built = statSync(ORACLE_BINARY).mtimeMs;
  return ORACLE_SOURCES.every((name) => statSync(join(ORACLE_SOURCE_DIR, name)).mtimeMs <= built);
}

let building: Promise<string> | undefined;

/**
 * Builds the oracle (once per process; reused across processes while newer than its sources).
 * Builds to a unique temporary name and renames, so parallel test workers never see a partial file.
 */
export function buildOracle(): Promise<string> {
  building ??= (async () => {
    if (binaryIsFresh()) return ORACLE_BINARY;
    await mkdir(GENERATED_DIR, { recursive: true });
    const temporary = `${ORACLE_BINARY}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    const result = await runProcess('go', ['build', '-o', temporary, '.'], { cwd: ORACLE_SOURCE_DIR });
    if (result.exitCode !== 0) {
      await rm(temporary, { force: true });
      throw new Error(`building the oracle failed:\n${result.stderr}`);
    }
    await rename(temporary, ORACLE_BINARY);
    return ORACLE_BINARY;
  })();
  building.catch(() => {
    building = undefined;
  });
  return building;
}

export interface OracleDump {
  /** Every event's String() followed by a newline, up to the error if there was one. */
  stdout: string;
  /** The reader's error message (without the "ERROR: " prefix), or null for a clean end. */
  error: string | null;
}

/** Parses a trace with Go's reader and returns its printed events and its error, if any. */
export async function runOracleDump(tracePath: string): Promise<OracleDump> {
  const oracle = await buildOracle();
  const result = await runProcess(oracle, ['dump', tracePath]);
  if (result.exitCode === 0) return { stdout: result.stdout, error: null };
  const errorLine = /^ERROR: (.*)$/s.exec(result.stderr.replace(/\n$/, ''));
  if (result.exitCode === 1 && errorLine !== null) return { stdout: result.stdout, error: errorLine[1] ?? '' };
  throw new Error(`oracle dump ${tracePath} exited ${result.exitCode}: ${result.stderr}`);
}

export interface OracleCount {
  events: number;
  bytes: number;
  seconds: number;
  mbPerSec: number;
  eventsPerSec: number;
  maxRssKB: number;
}

/** Reads a whole trace with Go's reader without printing, for throughput comparisons. */
export async function runOracleCount(tracePath: string): Promise<OracleCount> {
  const oracle = await buildOracle();
  const result = await runProcess(oracle, ['count', tracePath]);
  if (result.exitCode !== 0) throw new Error(`oracle count ${tracePath} exited ${result.exitCode}: ${result.stderr}`);
  return JSON.parse(result.stdout) as OracleCount;
}

/**
 * Null when the two printed event streams are identical; otherwise a report of the first line
 * that differs with a few lines of context on each side.
 */
export function describeFirstDifference(expected: string, actual: string, contextLines = 4): string | null {
  if (expected === actual) return null;
  const expectedLines = expected.split('\n');
  const actualLines = actual.split('\n');
  let line = 0;
  while (line < expectedLines.length && line < actualLines.length && expectedLines[line] === actualLines[line]) line++;
  const from = Math.max(0, line - contextLines);
  const excerpt = (lines: string[]): string =>
    lines
      .slice(from, line + contextLines + 1)
      .map((text, index) => `${from + index + 1 === line + 1 ? '>' : ' '} ${String(from + index + 1).padStart(7)} | ${text}`)
      .join('\n');
  return [
    `first difference at line ${line + 1} (expected ${expectedLines.length} lines, got ${actualLines.length}):`,
    '--- oracle (Go)',
    excerpt(expectedLines),
    '--- schedscope',
    excerpt(actualLines),
  ].join('\n');
}

export interface ReaderOutcome {
  /** Printed events, one String() per entry. */
  lines: readonly string[];
  /** What ended the stream early, or null. */
  error: unknown;
}

/**
 * Null when schedscope agrees with the oracle: the same events printed byte for byte and, if Go's
 * reader failed, schedscope failed too with an error accepted by isExpectedError (after exactly the
 * events Go produced before its error). Otherwise a human-readable description of the disagreement.
 */
export function disagreement(
  oracle: OracleDump,
  schedscope: ReaderOutcome,
  isExpectedError: (error: unknown) => boolean,
): string | null {
  const printed = schedscope.lines.map((line) => `${line}\n`).join('');
  const difference = describeFirstDifference(oracle.stdout, printed);
  const schedscopeError = schedscope.error === null ? null : String(schedscope.error);
  if (oracle.error === null && schedscope.error !== null) {
    return `Go reads the trace to the end, schedscope failed: ${schedscopeError}${difference === null ? '' : `\n${difference}`}`;
  }
  if (oracle.error !== null && schedscope.error === null) {
    return `Go fails with "${oracle.error}", schedscope read to the end${difference === null ? '' : `\n${difference}`}`;
  }
  if (schedscope.error !== null && !isExpectedError(schedscope.error)) {
    return `schedscope failed with an error of the wrong type (Go: "${oracle.error}"): ${schedscopeError}`;
  }
  if (difference !== null) {
    return oracle.error === null ? difference : `events before the error differ (Go: "${oracle.error}", schedscope: ${schedscopeError})\n${difference}`;
  }
  return null;
}
