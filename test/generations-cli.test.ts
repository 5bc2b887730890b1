// `schedscope generations`: the map of a trace from batch headers alone, in the terms --generations
// and --from/--to use (a generation listed at k starts where `cut --generations k` says it does).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { GenerationsListing } from '../src/cli/generations.js';
import { cutTrace } from '../src/export/cut.js';

const root = join(import.meta.dirname, '..');
const cli = join(root, 'bin/schedscope.js');
const work = mkdtempSync(join(tmpdir(), 'schedscope-generations-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function list(path: string): { status: number | null; listing: GenerationsListing; stdout: string } {
  const run = spawnSync(process.execPath, [cli, 'generations', path, '--json'], { encoding: 'utf8' });
  return { status: run.status, listing: JSON.parse(run.stdout) as GenerationsListing, stdout: run.stdout };
}

describe('schedscope generations', () => {
  it.each(['generations', 'syscall-gens', 'gc-active'])('%s: every byte after the header, in order, at the times cut gives', async (name) => {
    const path = join(root, 'test/fixtures/traces', `${name}.trace`);
    const { status, listing } = list(path);
    expect(status).toBe(0);
    expect(listing.error).toBeNull();
    const rows = listing.generations;
    expect(rows.length).toBeGreaterThan(1);
    expect(rows[0]).toMatchObject({ generation: 1, startNs: 0, offset: 16 });
    for (let k = 1; k < rows.length; k++) {
      expect(rows[k]!.offset).toBe(rows[k - 1]!.offset + rows[k - 1]!.bytes);
      expect(rows[k]!.startNs).toBe(rows[k - 1]!.startNs + rows[k - 1]!.durationNs);
    }
    expect(16 + rows.reduce((sum, row) => sum + row.bytes, 0)).toBe(statSync(path).size);
    const k = Math.ceil(rows.length / 2);
    const cut = await cutTrace(path, join(work, `${name}.trace`), { generations: { first: k, last: k } });
    expect(cut.startNs).toBe(rows[k - 1]!.startNs);
    expect(cut.bytes).toBe(16 + rows[k - 1]!.bytes);
  });

  it('lists a broken trace up to the break, and exits 1', () => {
    const bytes = readFileSync(join(root, 'test/fixtures/traces/generations.trace'));
    const broken = join(work, 'broken.trace');
    writeFileSync(broken, bytes.subarray(0, 24_000));
    const { status, listing } = list(broken);
    expect(status).toBe(1);
    expect(listing.error).toMatchObject({ name: 'TruncatedTraceError' });
    expect(listing.generations.length).toBe(2);
    const text = spawnSync(process.execPath, [cli, 'generations', broken], { encoding: 'utf8' }).stdout;
    expect(text).toMatch(/the trace breaks after these: TruncatedTraceError at byte \d+/);
  });
});
