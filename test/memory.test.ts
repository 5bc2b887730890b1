// Bounded memory: a real trace many times larger than maxGenerationBytes streams from a running Go
// program straight into the reader (it never exists on disk), and memory stays flat while it does.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openTrace } from '../src/index.js';
import { requireGo } from './support/go.js';

const busyDir = join(import.meta.dirname, 'memory', 'busy');
const buildDir = join(import.meta.dirname, '.generated');
const TRACE_BYTES = 120_000_000;
const MAX_GENERATION_BYTES = 8 << 20;

function memoryInUse(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.external + m.arrayBuffers;
}

describe('bounded memory', () => {
  it(`streams a ${TRACE_BYTES / 1e6} MB trace with maxGenerationBytes = 8 MiB and flat memory`, async () => {
    if (!requireGo()) return;
    mkdirSync(buildDir, { recursive: true });
    const binary = join(buildDir, 'busy');
    const build = spawnSync('go', ['build', '-o', binary, '.'], { cwd: busyDir, encoding: 'utf8' });
    expect(build.status, build.stderr).toBe(0);
    // Short generations (20 ms) make many of them, each far below the limit.
    const child = spawn(binary, ['-bytes', String(TRACE_BYTES)], {
      env: { ...process.env, GODEBUG: 'traceadvanceperiod=20000000' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const samples: number[] = [];
    let generations = 0;
    const trace = await openTrace(child.stdout, {
      maxGenerationBytes: MAX_GENERATION_BYTES,
      onProgress: () => {
        generations++;
        if (generations % 10 === 0) samples.push(memoryInUse());
      },
    });
    let events = 0;
    for await (const batch of trace.batches()) events += batch.length;
    const exitCode = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(exitCode).toBe(0);
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
    expect(Math.max(...samples)).toBeLessThan(TRACE_BYTES / 2);
  });
});
