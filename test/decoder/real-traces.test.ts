// The decoder alone (framer → GenerationDecoder → EventBatch → Event.toString()) against Go's own
// reader (`go tool trace -d=parsed`) on real traces: one made fresh by a busy program with a wide
// frontier (more than 12 threads, so the frontier sort goes past insertion sort), and the committed
// fixtures at batch sizes that split multi-event ordering steps across batches.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TraceFormatError } from '../../src/errors.js';
import { EventKind } from '../../src/model/index.js';
import { committedFixtures, readGolden } from '../support/fixtures.js';
import { goAvailable, requireGo } from '../support/go.js';
import { describeFirstDifference } from '../support/oracle.js';
import { decodeTrace, goTool } from './support.js';

const PROGRAM_DIR = join(import.meta.dirname, 'programs', 'busy');

function printed(lines: readonly string[]): string {
  return lines.map((line) => `${line}\n`).join('');
}

describe.runIf(goAvailable() || process.env.CI === 'true')('a fresh busy trace agrees with go tool trace -d=parsed', () => {
  let dir = '';
  let tracePath = '';
  let expected = '';

  beforeAll(async () => {
    requireGo();
    dir = await mkdtemp(join(tmpdir(), 'schedscope-decoder-'));
    const binary = join(dir, 'busy');
    const build = goTool(['build', '-C', PROGRAM_DIR, '-o', binary, '.']);
    expect(build.status, build.stderr).toBe(0);
    tracePath = join(dir, 'busy.trace');
    // Short generations: several of them, so ordering state crosses generation boundaries.
    const { spawnSync } = await import('node:child_process');
    const run = spawnSync(binary, [tracePath], { env: { ...process.env, GODEBUG: 'traceadvanceperiod=10000000' }, encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    const parsed = goTool(['tool', 'trace', '-d=parsed', tracePath]);
    expect(parsed.status, parsed.stderr).toBe(0);
    expected = parsed.stdout;
  });

  afterAll(async () => {
    if (dir !== '') await rm(dir, { recursive: true, force: true });
  });

  it('prints the same events byte for byte', async () => {
    let maxFrontier = 0;
    let generationThreads = new Set<number>();
    const outcome = await decodeTrace(tracePath, {
      onBatch: (batch) => {
        for (let i = 0; i < batch.length; i++) {
          if (batch.kind[i] === EventKind.Sync) {
            maxFrontier = Math.max(maxFrontier, generationThreads.size);
            generationThreads = new Set();
          }
          generationThreads.add(batch.thread[i]!);
        }
      },
    });
    expect(outcome.error).toBeNull();
    const difference = describeFirstDifference(expected, printed(outcome.lines));
    expect(difference).toBeNull();
    // What the trace is meant to exercise.
    expect(outcome.lines.filter((l) => /^M=-?\d+ P=-?\d+ G=-?\d+ Sync /.test(l)).length).toBeGreaterThan(3);
    expect(maxFrontier, 'threads in one generation').toBeGreaterThan(12);
    expect(outcome.lines.length).toBeGreaterThan(50_000);
  });

  it('gives the same events whatever the batch size', async () => {
    const outcome = await decodeTrace(tracePath, { eventsPerBatch: 3 });
    expect(outcome.error).toBeNull();
    expect(describeFirstDifference(expected, printed(outcome.lines))).toBeNull();
  });
});

describe('committed fixtures, decoded in tiny batches', () => {
  // iter-pull has coroutine switches (one wire event → three events) and cgo-callback has
  // GoDestroySyscall with a stolen P (two events): batch sizes 1 and 2 split them.
  const wanted = ['iter-pull', 'cgo-callback', 'syscall-gens', 'flight-recorder'];
  const fixtures = committedFixtures().filter((f) => wanted.includes(f.name));

  it('are present', () => {
    expect(fixtures.map((f) => f.name).sort()).toEqual([...wanted].sort());
  });

  it.each(fixtures.flatMap((f) => [1, 2, 4096].map((n) => [f.name, n, f] as const)))('%s with %i events per batch', async (_name, n, fixture) => {
    const outcome = await decodeTrace(fixture.tracePath, { eventsPerBatch: n, onBatch: (b) => expect(b.length).toBeLessThanOrEqual(n) });
    if (fixture.expectedError === null) expect(outcome.error).toBeNull();
    else expect(outcome.error).toBeInstanceOf(TraceFormatError);
    expect(describeFirstDifference(readGolden(fixture.goldenPath), printed(outcome.lines))).toBeNull();
  });
});
