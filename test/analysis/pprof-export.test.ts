// The pprof writer: profiles written by schedscope decode to the same (stack → count, ns) records
// as `go tool trace -pprof` writes for the same trace, and `go tool pprof` reads them.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeViews } from '../../src/analysis/analyze.js';
import { PROFILE_KINDS } from '../../src/analysis/profiles.js';
import { encodeProfile } from '../../src/export/pprof.js';
import { requireGo } from '../support/go.js';
import { goGenerations, tracePath } from './support/fixtures.js';
import { decodeProfile, goPprof } from './support/go-tool-trace.js';

describe('pprof export', () => {
  it('encodes records that decode to what go tool trace -pprof writes, for every kind', async () => {
    if (!requireGo()) return;
    const report = await analyzeViews(goGenerations('mixed').flat(), { analyses: ['profiles'], profiles: { goCompatible: true } });
    const dir = mkdtempSync(join(tmpdir(), 'schedscope-pprof-'));
    for (const kind of PROFILE_KINDS) {
      const bytes = encodeProfile(report.profiles![kind].entries.map((e) => ({ frames: e.stack, count: e.count, ns: e.totalNs })));
      expect(decodeProfile(bytes)).toEqual(goPprof(kind, tracePath('mixed')));
      const file = join(dir, `${kind}.pb.gz`);
      writeFileSync(file, bytes);
      const top = spawnSync('go', ['tool', 'pprof', '-raw', file], { encoding: 'utf8' });
      expect(top.status, top.stderr).toBe(0);
      expect(top.stdout).toContain('delay/nanoseconds');
    }
  });

  it('writes an empty profile when nothing was recorded', () => {
    const bytes = encodeProfile([]);
    expect(decodeProfile(bytes).size).toBe(0);
  });
});
