// `cutTrace` / `schedscope cut`: whole generations written as a trace of their own. Go's reader must
// read the cut to the end, schedscope must print exactly what Go prints for it, and every
// generation but the cut's first must hold exactly the events it held in the original (the first
// restates its goroutines' and Ps' states as a trace's first generation does, so only its count is
// compared).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { parseDuration, parseGenerationRange } from '../../src/cli/window.js';
import { CutSelectionError, cutTrace, type CutResult } from '../../src/export/cut.js';
import { TraceAbortedError, TraceFormatError } from '../../src/errors.js';
import { indexGenerations } from '../../src/parallel/generation-index.js';
import { FIXTURE_TRACES_DIR, readGolden } from '../support/fixtures.js';
import { goAvailable, requireGo } from '../support/go.js';
import { disagreement, runOracleDump } from '../support/oracle.js';
import { mulberry32 } from '../support/random.js';
import { readAll } from '../support/read-all.js';
import { parseTxtar, textTraceToBytes } from '../support/text-trace.js';

const root = join(import.meta.dirname, '..', '..');
const cli = join(root, 'bin/schedscope.js');
const TRACES = ['generations', 'gc-active', 'syscall-gens'];
const tracePath = (name: string) => join(FIXTURE_TRACES_DIR, `${name}.trace`);
const work = mkdtempSync(join(tmpdir(), 'schedscope-cut-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The printed lines of each generation (split at Syncs), the Sync lines without their sequence number. */
function byGeneration(text: string): string[][] {
  const generations: string[][] = [];
  for (const line of text.split('\n').filter((line) => line !== '')) {
    if (/^M=-?\d+ P=-?\d+ G=-?\d+ Sync /.test(line)) generations.push([]);
    generations[generations.length - 1]!.push(line.replace(/ N=\d+/, ''));
  }
  return generations;
}

const golden = (name: string) => readGolden(join(FIXTURE_TRACES_DIR, `${name}.golden.gz`));

let cuts = 0;
async function cut(name: string, selection: Parameters<typeof cutTrace>[2]): Promise<{ path: string; result: CutResult }> {
  const path = join(work, `${name}-${++cuts}.trace`);
  return { path, result: await cutTrace(tracePath(name), path, selection) };
}

describe('cutTrace', () => {
  it.each(TRACES)('%s: the generations asked for, the same events from the cut’s second generation on', async (name) => {
    const original = byGeneration(golden(name));
    // Go's reader ends a trace with a Sync of its own: generation k of the file is original[k - 1].
    const count = (await indexGenerations(tracePath(name))).generations.length;
    expect(original.length).toBe(count + 1);
    for (const [first, last] of [[2, Math.min(4, count)], [count, count], [1, count]] as const) {
      const { path, result } = await cut(name, { generations: { first, last } });
      expect(result).toMatchObject({ first, last, inputGenerations: count, formatVersion: '1.26' });
      expect(statSync(path).size).toBe(result.bytes);
      const { lines, error } = await readAll(path);
      expect(error).toBeNull();
      const got = byGeneration(lines.join('\n'));
      expect(got.length).toBe(last - first + 2);
      expect(got.slice(1, -1), `generations ${first + 1}..${last}`).toEqual(original.slice(first, last));
      expect(got[0]!.length, `generation ${first}: as many lines`).toBe(original[first - 1]!.length);
      if (first === 1) expect(got.slice(0, -1)).toEqual(original.slice(0, -1));
    }
  });

  it('a time window keeps the generations that overlap it, and reports their span', async () => {
    const name = 'syscall-gens';
    const whole = await cut(name, {});
    const count = whole.result.inputGenerations;
    expect(whole.result).toMatchObject({ first: 1, last: count, startNs: 0 });
    // Each generation alone, then the window from one's start to the next's: it and the next overlap
    // only at the boundary, so it alone is kept.
    const spans: CutResult[] = [];
    for (let k = 1; k <= count; k++) spans.push((await cut(name, { generations: { first: k, last: k } })).result);
    for (let k = 1; k < count; k++) expect(spans[k]!.startNs).toBe(spans[k - 1]!.endNs);
    const middle = Math.floor(count / 2);
    const window = spans[middle - 1]!;
    expect((await cut(name, { fromNs: window.startNs, toNs: window.endNs })).result).toMatchObject({ first: middle, last: middle });
    expect((await cut(name, { fromNs: window.startNs + 1, toNs: spans[middle]!.startNs + 1 })).result).toMatchObject({ first: middle, last: middle + 1 });
    expect((await cut(name, { toNs: 1 })).result).toMatchObject({ first: 1, last: 1 });
    expect((await cut(name, { fromNs: window.startNs, generations: { first: 1, last: middle + 1 } })).result).toMatchObject({ first: middle, last: middle + 1 });
  });

  it('an aborted cut rejects with TraceAbortedError and leaves no file', async () => {
    const controller = new AbortController();
    controller.abort();
    const path = join(work, 'aborted.trace');
    await expect(cutTrace(tracePath('generations'), path, {}, { signal: controller.signal })).rejects.toThrow(TraceAbortedError);
    expect(existsSync(path)).toBe(false);
  });

  it('writes to a stream, and leaves it open', async () => {
    const stream = new PassThrough();
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    const result = await cutTrace(tracePath('generations'), stream, { generations: { first: 3, last: 3 } });
    expect(stream.writableEnded).toBe(false);
    expect(Buffer.concat(chunks).length).toBe(result.bytes);
    const { path } = await cut('generations', { generations: { first: 3, last: 3 } });
    expect(Buffer.concat(chunks).equals(readFileSync(path))).toBe(true);
  });

  it('refuses a selection that names no generation, and a broken trace, with typed errors', async () => {
    const name = 'generations';
    await expect(cutTrace(tracePath(name), join(work, 'x.trace'), { generations: { first: 7, last: 9 } })).rejects.toThrow(CutSelectionError);
    await expect(cutTrace(tracePath(name), join(work, 'x.trace'), { generations: { first: 3, last: 2 } })).rejects.toThrow(CutSelectionError);
    await expect(cutTrace(tracePath(name), join(work, 'x.trace'), { fromNs: 5e9 })).rejects.toThrow(/no generation overlaps/);
    await expect(cutTrace(tracePath(name), join(work, 'x.trace'), { fromNs: 2, toNs: 1 })).rejects.toThrow(CutSelectionError);
    const bytes = readFileSync(tracePath(name));
    const early = join(work, 'early.trace');
    writeFileSync(early, bytes.subarray(0, 200));
    await expect(cutTrace(early, join(work, 'y.trace'), {})).rejects.toThrow(TraceFormatError);
    expect(() => statSync(join(work, 'y.trace'))).toThrow();
  });

  it('cuts the complete generations of a broken trace, and says where it breaks', async () => {
    const name = 'generations';
    const bytes = readFileSync(tracePath(name));
    const truncated = join(work, 'truncated.trace');
    writeFileSync(truncated, bytes.subarray(0, Math.floor(bytes.length / 2)));
    const out = join(work, 'from-broken.trace');
    const result = await cutTrace(truncated, out, {});
    expect(result.inputError).toMatchObject({ name: 'TruncatedTraceError' });
    expect(result.inputGenerations).toBeGreaterThan(0);
    expect(result).toMatchObject({ first: 1, last: result.inputGenerations });
    // The generations kept are the original's, whole: as the same cut of the intact trace.
    const intact = await cut(name, { generations: { first: 1, last: result.inputGenerations } });
    expect(readFileSync(out).equals(readFileSync(intact.path))).toBe(true);
    const beyond = cutTrace(truncated, join(work, 'z.trace'), { generations: { first: 6, last: 6 } });
    await expect(beyond).rejects.toThrow(CutSelectionError);
    await expect(beyond).rejects.toThrow(/breaks after generation/);
  });
});

describe('cutTrace on damaged traces', () => {
  it('flipped bytes: a cut of what is whole, or a typed error; never a hang or another error', async () => {
    const bytes = readFileSync(tracePath('gc-active'));
    const random = mulberry32(20261206);
    let cutSome = 0;
    for (let round = 0; round < 40; round++) {
      const damaged = Uint8Array.from(bytes);
      for (let flips = 1 + Math.floor(random() * 3); flips > 0; flips--) {
        const at = 16 + Math.floor(random() * (damaged.length - 16));
        damaged[at] = damaged[at]! ^ (1 << Math.floor(random() * 8));
      }
      const path = join(work, `damaged-${round}.trace`);
      writeFileSync(path, damaged);
      try {
        const result = await cutTrace(path, join(work, `damaged-${round}.cut`), {});
        expect(statSync(join(work, `damaged-${round}.cut`)).size).toBe(result.bytes);
        cutSome++;
      } catch (error) {
        expect(error instanceof TraceFormatError || error instanceof CutSelectionError, String(error)).toBe(true);
      }
    }
    expect(cutSome).toBeGreaterThan(0);
  });
});

describe.runIf(goAvailable() || process.env.CI === 'true')("Go's reader on cut traces", () => {
  it.each(TRACES)('%s: reads each cut to the end, and schedscope prints what it prints', async (name) => {
    if (!requireGo()) return;
    const count = (await indexGenerations(tracePath(name))).generations.length;
    for (const [first, last] of [[2, Math.min(4, count)], [count, count]] as const) {
      const { path } = await cut(name, { generations: { first, last } });
      const oracle = await runOracleDump(path);
      expect(oracle.error, `${name} ${first}..${last}`).toBeNull();
      expect(disagreement(oracle, await readAll(path), () => false), `${name} ${first}..${last}`).toBeNull();
    }
  });
});

describe.runIf(goAvailable() || process.env.CI === 'true')('cuts of the older formats (Go 1.22, 1.23, 1.25), from Go\'s own test cases', () => {
  const cases = ['go122-task-across-generations', 'go123-sync', 'go125-sync'];
  it.each(cases)('%s: every run of generations to the end reads in Go and agrees', async (name) => {
    if (!requireGo()) return;
    const goroot = spawnSync('go', ['env', 'GOROOT'], { encoding: 'utf8' }).stdout.trim();
    const sections = parseTxtar(readFileSync(join(goroot, 'src/internal/trace/testdata/tests', `${name}.test`), 'utf8'));
    const path = join(work, `${name}.trace`);
    writeFileSync(path, textTraceToBytes(sections.find((section) => section.name === 'trace')!.data));
    const count = (await indexGenerations(path)).generations.length;
    expect(count).toBeGreaterThan(1);
    for (let first = 1; first <= count; first++) {
      const out = join(work, `${name}-${first}.trace`);
      await cutTrace(path, out, { generations: { first, last: count } });
      const oracle = await runOracleDump(out);
      expect(oracle.error, `${name} from ${first}`).toBeNull();
      expect(disagreement(oracle, await readAll(out), () => false), `${name} from ${first}`).toBeNull();
    }
  });
});

describe('schedscope cut', () => {
  const run = (args: string[]) => spawnSync(process.execPath, [cli, 'cut', ...args], { encoding: 'utf8' });

  it('writes the cut and says what it wrote (JSON with --json)', () => {
    const output = join(work, 'cli.trace');
    const plain = run([tracePath('generations'), '-o', output, '--generations', '2..3']);
    expect(plain.status).toBe(0);
    expect(plain.stdout).toMatch(/^generations 2\.\.3 of 6 \(.*\), [\d,]+ bytes → /);
    const json = run([tracePath('generations'), '-o', output, '--generations', '2-3', '--json']);
    const result = JSON.parse(json.stdout) as CutResult;
    expect(result).toMatchObject({ first: 2, last: 3, bytes: statSync(output).size });
  });

  it('writes the trace to standard output with -o -, the summary to stderr', () => {
    const toFile = join(work, 'cli-file.trace');
    run([tracePath('generations'), '-o', toFile, '--generations', '4']);
    const piped = spawnSync(process.execPath, [cli, 'cut', tracePath('generations'), '-o', '-', '--generations', '4']);
    expect(piped.status).toBe(0);
    expect(Buffer.compare(piped.stdout, readFileSync(toFile))).toBe(0);
    expect(piped.stderr.toString()).toMatch(/^generation 4 of 6/);
  });

  it('rejects bad arguments with a message', () => {
    expect(run([tracePath('generations'), '-o', join(work, 'z.trace'), '--generations', 'x']).stderr).toMatch(/generation, or a range/);
    expect(run([tracePath('generations'), '-o', join(work, 'z.trace'), '--from', '3 parsecs']).stderr).toMatch(/duration/);
    const beyond = run([tracePath('generations'), '-o', join(work, 'z.trace'), '--generations', '9']);
    expect(beyond.status).not.toBe(0);
    expect(beyond.stderr).toMatch(/the trace has 6/);
    expect(run(['-', '-o', join(work, 'z.trace')]).stderr).toMatch(/needs a file/);
  });

  it('parses durations and ranges', () => {
    expect([parseDuration('1.5s'), parseDuration('250ms'), parseDuration('90us'), parseDuration('90µs'), parseDuration('2m'), parseDuration('42')]).toEqual([1.5e9, 250e6, 90e3, 90e3, 120e9, 42]);
    expect([parseGenerationRange('3'), parseGenerationRange('3..7'), parseGenerationRange(' 2 - 4 ')]).toEqual([{ first: 3, last: 3 }, { first: 3, last: 7 }, { first: 2, last: 4 }]);
    expect(() => parseGenerationRange('0')).toThrow();
    expect(() => parseGenerationRange('5..2')).toThrow();
  });
});
