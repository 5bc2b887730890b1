// `schedscope diagnose`: ranked, readable text and JSON on a real trace; threshold overrides.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import { requireGo } from '../support/go.js';
import { cleanupFixtures, fixtureLogs, fixtureTraces, type ProgramName } from './support.js';

const haveGo = requireGo();

async function runCli(args: string[]): Promise<{ code: number; stdout: string }> {
  const chunks: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    return true;
  });
  try {
    const code = await main(['diagnose', ...args]);
    return { code, stdout: chunks.join('') };
  } finally {
    spy.mockRestore();
  }
}

afterEach(() => vi.restoreAllMocks());

let traces: Record<ProgramName, string>;
let logs: Record<ProgramName, string>;
beforeAll(async () => {
  if (!haveGo) return;
  traces = await fixtureTraces(['syscall-before', 'explosion-before', 'healthy']);
  logs = await fixtureLogs(['syscall-before']);
}, 120_000);

afterAll(() => cleanupFixtures());

describe.runIf(haveGo)('schedscope diagnose', () => {
  it('prints ranked findings with evidence, remedy and seed', async () => {
    const { code, stdout } = await runCli([traces['syscall-before'], '--no-progress']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^1 finding|^\d+ findings \(ranked\):/);
    // Other findings may rank above it (under CPU contention the burst also shows as scheduler latency).
    expect(stdout).toMatch(/\d\. \[(CRITICAL|WARNING)\] Syscall storm/);
    expect(stdout).toMatch(/evidence: \d+ OS threads for GOMAXPROCS=2/);
    expect(stdout).toContain('main.lookupHost');
    expect(stdout).toMatch(/remedy: .*PreferGo/);
    expect(stdout).toContain('seed: 000_cd228b6a123a80f5.txt');
  });

  it('--json gives the findings; --threshold raises a boundary; healthy says so', async () => {
    const json = JSON.parse((await runCli([traces['explosion-before'], '--json', '--no-progress'])).stdout) as { findings: { id: string }[] };
    expect(json.findings.map((f) => f.id)).toContain('goroutine-explosion');
    const raised = JSON.parse((await runCli([traces['explosion-before'], '--json', '--no-progress', '--threshold', 'maxGoroutines=1000000', '--rules', 'goroutine-explosion'])).stdout) as { findings: unknown[] };
    expect(raised.findings).toEqual([]);
    expect((await runCli([traces.healthy, '--no-progress'])).stdout).toMatch(/^No symptoms found/);
  });

  it('detects a GODEBUG log and runs the same rules on it', async () => {
    const { stdout } = await runCli([logs['syscall-before']]);
    expect(stdout).toMatch(/from a GODEBUG log\):/);
    expect(stdout).toMatch(/Syscall storm.*\n.*evidence: \d+ OS threads for GOMAXPROCS=2 \(schedtrace\)/);
  });
});
