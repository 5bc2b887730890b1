// --generations / --from / --to on the commands that read a trace: the window is cut on the fly
// and read as the cut file would be, and diagnose's windows are given on the whole trace's timeline.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readWindow } from '../src/cli/window.js';
import { cutTrace } from '../src/export/cut.js';

const root = join(import.meta.dirname, '..');
const cli = join(root, 'bin/schedscope.js');
const trace = join(root, 'test/fixtures/traces/gc-active.trace');
const work = mkdtempSync(join(tmpdir(), 'schedscope-window-cli-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function run(args: string[]): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(process.execPath, [cli, ...args, '--no-progress'], { encoding: 'utf8', maxBuffer: 1 << 28 });
}

/** A report without how it was run (which differs between a file and a stream by design) and which window it was. */
function reportOf(stdout: string): unknown {
  const { execution: _execution, window: _window, ...rest } = JSON.parse(stdout) as { execution: unknown; window?: unknown };
  return rest;
}

describe('a window of the trace', () => {
  it('analyze, goroutines and mmu read it as they read the cut file', async () => {
    const cutFile = join(work, 'cut.trace');
    await cutTrace(trace, cutFile, { generations: { first: 5, last: 9 } });
    for (const command of [['analyze', '--json'], ['goroutines', '--json'], ['mmu', '--json']]) {
      const windowed = run([...command, trace, '--generations', '5..9']);
      expect(windowed.status, windowed.stderr).toBe(0);
      const whole = run([...command, cutFile]);
      expect(reportOf(windowed.stdout), command[0]).toEqual(reportOf(whole.stdout));
    }
    const analysed = JSON.parse(run(['analyze', '--json', trace, '--generations', '5..9']).stdout) as { trace: { generations: number }; window: unknown };
    expect(analysed.trace.generations).toBe(5);
    // Which part of the trace it was, on the trace's timeline: as cut says.
    const cut = await cutTrace(trace, join(work, 'again.trace'), { generations: { first: 5, last: 9 } });
    expect(analysed.window).toEqual({ first: 5, last: 9, of: 17, fromNs: cut.startNs, toNs: cut.endNs });
  });

  it('dump prints the cut file’s events, stat counts them, and a reader that stops early ends the cut', async () => {
    const cutFile = join(work, 'cut-3-4.trace');
    await cutTrace(trace, cutFile, { generations: { first: 3, last: 4 } });
    expect(run(['dump', trace, '--generations', '3..4']).stdout).toBe(run(['dump', cutFile]).stdout);
    const counts = (stdout: string) => {
      const { file: _f, decodeSeconds: _d, megabytesPerSecond: _m, eventsPerSecond: _e, peakRssBytes: _r, ...rest } = JSON.parse(stdout) as { [key: string]: unknown };
      return rest;
    };
    const windowed = run(['stat', '--json', trace, '--generations', '3..4']);
    expect(JSON.parse(windowed.stdout)).toMatchObject({ file: trace });
    expect(counts(windowed.stdout)).toEqual(counts(run(['stat', '--json', cutFile]).stdout));
    // A reader that stops at once (as `dump | head` does): the cut must not wait to write for ever.
    const stopped = await readWindow(trace, { fromNs: 0 }, async () => 'stopped');
    expect(stopped).toBe('stopped');
  });

  it('diagnose gives its windows on the whole trace’s timeline', () => {
    const whole = JSON.parse(run(['diagnose', '--json', trace]).stdout) as { findings: { id: string; window?: { fromNs: number; toNs: number } }[] };
    const gc = whole.findings.find((f) => f.id === 'gc-tail-latency')!;
    expect(gc.window).toBeDefined();
    // A window of whole generations around the longest cycle: the same cycle, at the same time.
    const from = `${Math.max(0, gc.window!.fromNs - 2e6) / 1e6}ms`;
    const to = `${(gc.window!.toNs + 2e6) / 1e6}ms`;
    // Fewer cycles in a window than the rule asks of a trace: thresholds lowered to let it speak.
    const part = JSON.parse(run(['diagnose', '--json', trace, '--from', from, '--to', to, '--threshold', 'gcMinCycles=1', '--threshold', 'gcCyclesPerSecond=1']).stdout) as typeof whole;
    const partGc = part.findings.find((f) => f.id === 'gc-tail-latency');
    expect(partGc?.window).toBeDefined();
    expect(Math.abs(partGc!.window!.fromNs - gc.window!.fromNs)).toBeLessThan(100_000);
    expect(Math.abs(partGc!.window!.toNs - gc.window!.toNs)).toBeLessThan(100_000);
  });

  it('is refused for standard input, for a GODEBUG log, and when it names no generation', () => {
    expect(run(['analyze', '-', '--from', '1s']).stderr).toMatch(/need a file/);
    expect(run(['diagnose', join(root, 'README.md'), '--from', '1s']).stderr).toMatch(/not of a GODEBUG log/);
    const beyond = run(['analyze', trace, '--from', '10s']);
    expect(beyond.status).not.toBe(0);
    expect(beyond.stderr).toMatch(/no generation overlaps the time window \(the trace spans 0s to 0\.08\ds\)/);
  });
});
