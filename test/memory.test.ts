// Bounded memory: a real trace many times larger than maxGenerationBytes, written by a busy Go
// program, streams through the reader while memory stays flat. (The program writes to a file
// rather than a pipe: a reader slower than the runtime stalls the runtime's generation advance,
// which would make one generation swallow the backlog.)
import { spawnSync } from 'node:child_process';
import { createReadStream, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { openTrace } from '../src/index.js';
import { requireGo } from './support/go.js';

const busyDir = join(import.meta.dirname, 'memory', 'busy');
const buildDir = join(import.meta.dirname, '.generated');
const TRACE_BYTES = 60_000_000;
const MAX_GENERATION_BYTES = 4 << 20;

// Live memory, measured after a full collection so garbage does not blur the picture.
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

function memoryInUse(): number {
  collectGarbage();
  const m = process.memoryUsage();
  return m.heapUsed + m.external + m.arrayBuffers;
}

describe('bounded memory', () => {
  it(`streams a ${TRACE_BYTES / 1e6} MB trace with maxGenerationBytes = 4 MiB and flat memory`, async () => {
    if (!requireGo()) return;
    mkdirSync(buildDir, { recursive: true });
    const binary = join(buildDir, 'busy');
    const build = spawnSync('go', ['build', '-o', binary, '.'], { cwd: busyDir, encoding: 'utf8' });
    expect(build.status, build.stderr).toBe(0);
    // Short generations (5 ms) make many of them, each far below the limit.
    const tracePath = join(buildDir, 'busy.trace');
    const run = spawnSync(binary, ['-bytes', String(TRACE_BYTES), '-o', tracePath], {
      env: { ...process.env, GODEBUG: 'traceadvanceperiod=5000000' },
      encoding: 'utf8',
    });
    expect(run.status, run.stderr).toBe(0);
    const samples: number[] = [];
    const baseline = memoryInUse();
    let generations = 0;
    // A Node stream, so the input arrives in arbitrary chunks, as from a socket.
    const trace = await openTrace(createReadStream(tracePath, { highWaterMark: 1 << 20 }), {
      maxGenerationBytes: MAX_GENERATION_BYTES,
      onProgress: () => {
        generations++;
        if (generations % 50 === 0) samples.push(memoryInUse());
      },
    });
    let events = 0;
    for await (const batch of trace.batches()) events += batch.length;
    rmSync(tracePath);
    expect(trace.stats.bytesRead).toBeGreaterThan(TRACE_BYTES);
    expect(trace.stats.bytesRead / MAX_GENERATION_BYTES).toBeGreaterThan(10);
    expect(generations).toBeGreaterThan(20);
    expect(events).toBeGreaterThan(1_000_000);
    // Flat: after warm-up, memory never rises more than a generation's worth above the early
    // plateau, and never approaches the size of what was read.
    const warm = samples.slice(Math.floor(samples.length / 4));
    const early = Math.max(...warm.slice(0, Math.max(1, Math.floor(warm.length / 3))));
    const late = Math.max(...warm.slice(Math.floor((2 * warm.length) / 3)));
    expect(late).toBeLessThan(early + 4 * MAX_GENERATION_BYTES);
    // And what it holds is a small multiple of the generation limit, whatever the trace's size
    // (input chunk, generation buffer, its copy in WASM memory, columns, tables).
    expect(Math.max(...samples) - baseline).toBeLessThan(8 * MAX_GENERATION_BYTES);
    console.log(`memory: baseline ${(baseline / 2 ** 20).toFixed(1)} MiB, early ${(early / 2 ** 20).toFixed(1)} MiB, late ${(late / 2 ** 20).toFixed(1)} MiB, ${generations} generations`);
  });
});
