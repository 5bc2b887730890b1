// Where a finding is worst (Finding.window): in ns since the trace began, the origin `schedscope cut`
// uses, so the stretch cut out with the times diagnose prints holds what the finding points at.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { analyze } from '../../src/analysis/analyze.js';
import { diagnose, type DiagnoseInput } from '../../src/analysis/diagnose/index.js';
import { peakWindow, windowOf } from '../../src/analysis/diagnose/window.js';
import { windowLine } from '../../src/cli/diagnose.js';
import { cutTrace } from '../../src/export/cut.js';
import { parseDuration } from '../../src/cli/window.js';

const root = join(import.meta.dirname, '..', '..');
const gcActive = join(root, 'test/fixtures/traces/gc-active.trace');
const work = mkdtempSync(join(tmpdir(), 'schedscope-window-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const input = (firstTimeNs: number, durationNs: number, godebug = false): DiagnoseInput =>
  ({ trace: { events: 1, generations: 1, firstTimeNs, lastTimeNs: firstTimeNs + durationNs, durationNs, bytesRead: 0 }, execution: { mode: 'sequential', workers: 1, requestedWorkers: undefined, requestedPlacement: undefined }, ...(godebug ? { godebug: {} } : {}) }) as DiagnoseInput;

describe('finding windows', () => {
  it('are relative to the trace start and clamped to the trace', () => {
    const report = input(1_000_000_000, 5_000_000);
    expect(windowOf(report, 1_001_000_000, 1_002_000_000, 'x')).toEqual({ fromNs: 1_000_000, toNs: 2_000_000, what: 'x' });
    expect(windowOf(report, 999_000_000, 1_009_000_000, 'x')).toEqual({ fromNs: 0, toNs: 5_000_000, what: 'x' });
    expect(windowOf(input(1, 5, true), 1, 2, 'x')).toBeUndefined();
    const points = [{ timeNs: 1_000_000_000, v: 1 }, { timeNs: 1_002_000_000, v: 7 }, { timeNs: 1_003_000_000, v: 7 }];
    expect(peakWindow(report, points, 1_000_000, (p) => p.v, (p) => `v ${p.v}`)).toEqual({ fromNs: 2_000_000, toNs: 3_000_000, what: 'v 7' });
    expect(peakWindow(report, [], 1, () => 0, () => '')).toBeUndefined();
  });

  it('print as a cut command whose times parse back around the window', () => {
    const line = windowLine({ fromNs: 1_318_400_000, toNs: 1_333_600_001, what: 'longest GC cycle' }, 'app.trace');
    const match = /--from (\S+) --to (\S+) -o window\.trace$/.exec(line);
    expect(match).not.toBeNull();
    expect(parseDuration(match![1]!)).toBeLessThanOrEqual(1_318_400_000);
    expect(parseDuration(match![2]!)).toBeGreaterThanOrEqual(1_333_600_001);
    expect(line).toContain('longest GC cycle');
    expect(windowLine({ fromNs: 0, toNs: 0, what: 'x' }, '-')).not.toContain('schedscope cut');
  });

  it('GC tail latency on a real trace: the cut around its window holds the longest GC cycle', async () => {
    const result = await diagnose(gcActive, { rules: ['gc-tail-latency'] });
    const finding = result.findings.find((f) => f.id === 'gc-tail-latency');
    expect(finding?.window).toBeDefined();
    const window = finding!.window!;
    const full = await analyze(gcActive, { analyses: ['gc'] });
    const longest = Math.max(...full.gc!.cycles.list.map((c) => c.durationNs));
    // Under 1000 cycles every one is listed: the report's longest is the list's.
    expect(full.gc!.cycles.list.length).toBe(full.gc!.cycles.count);
    expect(full.gc!.cycles.longest?.durationNs).toBe(longest);
    expect(window.what).toContain('longest GC cycle');
    const cutPath = join(work, 'window.trace');
    const cut = await cutTrace(gcActive, cutPath, { fromNs: window.fromNs, toNs: window.toNs });
    expect(cut.last - cut.first + 1).toBeLessThan(cut.inputGenerations);
    const inCut = await analyze(cutPath, { analyses: ['gc'] });
    expect(inCut.gc!.cycles.list.map((c) => c.durationNs)).toContain(longest);
  });

  it('the CLI prints where, with the command to cut it out', () => {
    const run = spawnSync(process.execPath, [join(root, 'bin/schedscope.js'), 'diagnose', gcActive, '--no-progress'], { encoding: 'utf8' });
    expect(run.stdout).toMatch(/where: [\d.]+s to [\d.]+s into the trace, longest GC cycle .*schedscope cut .*gc-active\.trace --from [\d.]+s --to [\d.]+s -o window\.trace/);
  });
});

describe('the per-P imbalance window', () => {
  it('is where the busiest P is furthest above the mean, not where the index peaks in idle time', async () => {
    const { procImbalanceRule } = await import('../../src/analysis/diagnose/proc-imbalance.js');
    const { DEFAULT_THRESHOLDS } = await import('../../src/analysis/diagnose/thresholds.js');
    const report = {
      ...input(0, 3_000_000_000),
      procs: {
        procs: [{ proc: 0, busyNs: 1, busyFraction: 0.5 }, { proc: 1, busyNs: 1, busyFraction: 0.5 }],
        imbalance: 0.3,
        runnableWhileIdleNs: 1e9,
        runnableWhileIdleFraction: 0.33,
        bucketNs: 1e9,
        // Nearly idle bucket: imbalance 1 (0.02 against 0); busy bucket: imbalance 0.4 (1 against 0.2).
        windows: [{ timeNs: 0, busyFraction: [0.02, 0], imbalance: 0.5 }, { timeNs: 1e9, busyFraction: [1, 0.2], imbalance: 0.4 }],
        idleProcWithWorkNs: 1e9,
        idleProcWithWorkFraction: 0.2,
        runnableWhileIdleAtLeast: [{ minRunnable: 1, ns: 1e9 }, { minRunnable: 16, ns: 1e9 }],
        totalBusyNs: 2,
      },
    } as unknown as DiagnoseInput;
    const finding = procImbalanceRule.evaluate(report, DEFAULT_THRESHOLDS);
    expect(finding?.window).toMatchObject({ fromNs: 1e9, toNs: 2e9 });
    expect(finding!.window!.what).toContain('busiest P 100%, mean 60%');
  });
});
