// The text `schedscope analyze` prints surfaces the evidence the seeds ask for (MMU at 1 ms, mark
// assists, scheduler latency p50/p99, goroutine and thread counts, heap growth, per-P balance,
// channel blocking, syscall blocking by stack, LockOSThread candidates).
import { describe, expect, it } from 'vitest';
import { analyzeViews } from '../../src/analysis/analyze.js';
import { summaryText } from '../../src/cli/analyze.js';
import { requireGo } from '../support/go.js';
import { goGenerations } from './support/fixtures.js';

describe('analyze summary text', () => {
  it('names the evidence', async () => {
    if (!requireGo()) return;
    const text = summaryText(await analyzeViews(goGenerations('mixed').flat()));
    expect(text).toMatch(/MMU .*1\.000ms=0\.\d{3}/);
    expect(text).toMatch(/mark assists: \d+/);
    expect(text).toMatch(/scheduler latency .*p50 .* p99 /);
    expect(text).toMatch(/goroutines: \d+ created, max \d+ alive/);
    expect(text).toMatch(/threads seen \d+/);
    expect(text).toMatch(/heap: .* MiB\/s; GOMAXPROCS 3 \(3 changes\)/);
    expect(text).toMatch(/Ps: busy .*imbalance \d\.\d\d; runnable while a P was idle/);
    expect(text).toMatch(/sync profile: .* at main\.(locker|receiver|main)/);
    expect(text).toMatch(/syscall profile: .* at main\.syscaller/);
    expect(text).toMatch(/task job: 3 \(3 complete\)/);
    expect(text).toContain('sequential analysis');
    const locked = summaryText(await analyzeViews(goGenerations('locked').flat()));
    expect(locked).toMatch(/2 goroutines always ran on one thread: LockOSThread\?/);
  });
});
