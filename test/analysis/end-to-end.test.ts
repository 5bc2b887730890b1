// Through schedscope's own decoder: analyze(path) must give the same reports as the analyzers fed
// with Go's decoding (go-parity.test.ts checks those against Go's tools), the CLI must write the same
// pprof files, and analysing a trace many times larger than maxGenerationBytes keeps memory flat.
// They need the WASM decoder (src/decoder/decoder.ts, build/decoder.wasm); they are skipped only
// while the decoder does not exist in the tree.
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyze, analyzeViews, ANALYSIS_NAMES } from '../../src/analysis/analyze.js';
import { requireGo } from '../support/go.js';
import { goGenerations, tracePath } from './support/fixtures.js';
import { decodeProfile, goPprof } from './support/go-tool-trace.js';

const decoderPresent = existsSync(join(import.meta.dirname, '..', '..', 'src', 'decoder', 'decoder.ts'));
const comparable = ANALYSIS_NAMES.filter((name) => name !== 'footprint');

describe.skipIf(!decoderPresent)('end to end through the decoder', () => {
  it.each(['mixed', 'gcheavy', 'schedlat'] as const)('%s: analyze(path) equals the analyses of Go\'s decoding', async (name) => {
    if (!requireGo()) return;
    const ours = await analyze(tracePath(name));
    const reference = await analyzeViews(goGenerations(name).flat(), { analyses: comparable });
    for (const analysis of comparable) expect(ours[analysis], analysis).toEqual(reference[analysis]);
    expect(ours.trace.events).toBe(reference.trace.events);
    // Footprint: every event has a wire type and a size; bytes fit in the file.
    const size = readFileSync(tracePath(name)).length;
    expect(ours.footprint!.events).toBe(ours.trace.events);
    expect(ours.footprint!.bytes).toBeGreaterThan(0);
    expect(ours.footprint!.bytes).toBeLessThan(size);
  });

  it('schedscope pprof --go-compat writes what go tool trace -pprof writes', async () => {
    if (!requireGo()) return;
    const { Command } = await import('commander');
    const { register } = await import('../../src/cli/pprof.js');
    const dir = mkdtempSync(join(tmpdir(), 'schedscope-cli-'));
    for (const kind of ['net', 'sync', 'syscall', 'sched']) {
      const out = join(dir, `${kind}.pb.gz`);
      const program = new Command('schedscope').exitOverride();
      register(program);
      await program.parseAsync(['pprof', kind, tracePath('mixed'), '-o', out, '--go-compat', '--no-progress'], { from: 'user' });
      expect(decodeProfile(readFileSync(out))).toEqual(goPprof(kind, tracePath('mixed')));
    }
  });

  it('analysing a trace many times larger than maxGenerationBytes keeps memory flat', async () => {
    if (!requireGo()) return;
    const fixtures = join(import.meta.dirname, 'fixtures');
    const buildDir = join(import.meta.dirname, '..', '.generated');
    mkdirSync(buildDir, { recursive: true });
    const binary = join(buildDir, 'analysis-stream');
    const build = spawnSync('go', ['build', '-o', binary, './stream'], { cwd: fixtures, encoding: 'utf8' });
    expect(build.status, build.stderr).toBe(0);
    const traceBytes = 60_000_000;
    const maxGenerationBytes = 4 << 20;
    // Written to a file first: a program writing into a pipe that a slower reader drains cannot
    // end its generations on time, so streamed generations grow with the reader's lag.
    const tracePathOnDisk = join(buildDir, 'analysis-stream.trace');
    const out = openSync(tracePathOnDisk, 'w');
    const child = spawn(binary, ['-bytes', String(traceBytes)], {
      // 10 ms generations of this program are ~0.3–0.7 MB, far below the limit.
      env: { ...process.env, GODEBUG: 'traceadvanceperiod=10000000' },
      stdio: ['ignore', out, 'inherit'],
    });
    const exitCode = await new Promise<number | null>((resolve) => child.on('close', resolve));
    closeSync(out);
    expect(exitCode).toBe(0);
    const samples: number[] = [];
    const heapSamples: number[] = [];
    const heapBefore = process.memoryUsage().heapUsed;
    let generations = 0;
    const report = await analyze(tracePathOnDisk, {
      maxGenerationBytes,
      onProgress: () => {
        generations++;
        if (generations % 5 === 0) {
          const m = process.memoryUsage();
          samples.push(m.heapUsed + m.external + m.arrayBuffers);
          heapSamples.push(m.heapUsed);
        }
      },
    });
    expect(report.trace.bytesRead).toBeGreaterThan(10 * maxGenerationBytes);
    expect(samples.length).toBeGreaterThan(6);
    const warm = samples.slice(Math.floor(samples.length / 4));
    const early = Math.max(...warm.slice(0, Math.max(1, Math.floor(warm.length / 3))));
    const late = Math.max(...warm.slice(Math.floor((2 * warm.length) / 3)));
    expect(late).toBeLessThan(early + 4 * maxGenerationBytes);
    // The JS heap (analyzer state) stays far below what was read; WASM memory (external) is the
    // decoder's generation buffer, checked for flatness above.
    expect(Math.max(...heapSamples) - heapBefore).toBeLessThan(traceBytes / 3);
    expect(report.goroutines!.goroutines).toBeGreaterThan(8);
    rmSync(tracePathOnDisk);
  });
});
