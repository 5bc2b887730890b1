// `schedscope stat`: the same statistics from a file and from standard input, and a broken trace's
// counts up to the break with the error beside them and exit status 1 (the built CLI, as a user runs it).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { TraceStatistics } from '../src/cli/stat.js';

const root = join(import.meta.dirname, '..');
const cli = join(root, 'bin/schedscope.js');
const trace = join(root, 'samples/http-server.trace');

function stat(args: string[], input?: Uint8Array): { status: number | null; stats: TraceStatistics } {
  const run = spawnSync(process.execPath, [cli, 'stat', ...args, '--json', '--no-progress'], { input, encoding: 'utf8' });
  return { status: run.status, stats: JSON.parse(run.stdout) as TraceStatistics };
}

/** What does not depend on how fast or from where the trace was read. */
function counts(stats: TraceStatistics): unknown {
  const { file: _file, decodeSeconds: _s, megabytesPerSecond: _m, eventsPerSecond: _e, peakRssBytes: _r, ...rest } = stats;
  return rest;
}

describe('schedscope stat', () => {
  it('reads standard input given "-" and counts what the file gives', () => {
    const fromFile = stat([trace]);
    const fromStdin = stat(['-'], readFileSync(trace));
    expect(fromFile.status).toBe(0);
    expect(fromStdin.status).toBe(0);
    expect(fromStdin.stats.file).toBe('-');
    expect(fromFile.stats.events).toBeGreaterThan(1000);
    expect(counts(fromStdin.stats)).toEqual(counts(fromFile.stats));
  });

  it('a truncated trace: counts up to the break, the error, exit status 1', () => {
    const bytes = readFileSync(trace);
    const { status, stats } = stat(['-'], bytes.subarray(0, Math.floor(bytes.length * 0.6)));
    expect(status).toBe(1);
    expect(stats.error).toMatchObject({ name: 'TruncatedTraceError', code: 'TRUNCATED' });
    expect(stats.error!.offset).toBeLessThanOrEqual(Math.floor(bytes.length * 0.6));
  });
});
