// `exportPerfetto` / `schedscope perfetto`: Chrome trace-event JSON. What it shows is checked against
// the analyses, computed independently from the same events: each P's goroutine slices add up to
// the Ps analysis' busy time, the GC phases and stop-the-world pauses are the GC analysis' cycles
// and pauses, the tasks, regions and logs are the annotations analysis' counts, the heap counter has
// a sample per heap metric event. And the records are well formed: async slices open and close in
// order on their track, a P's goroutine slices do not overlap.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { analyze } from '../../src/analysis/analyze.js';
import { cutTrace } from '../../src/export/cut.js';
import { exportPerfetto, type PerfettoSummary } from '../../src/export/perfetto.js';
import { TraceFormatError } from '../../src/errors.js';
import { mulberry32 } from '../support/random.js';

const root = join(import.meta.dirname, '..', '..');
const cli = join(root, 'bin/schedscope.js');
const TRACES = ['test/analysis/data/mixed.trace', 'test/analysis/data/gcheavy.trace', 'test/fixtures/traces/gc-active.trace', 'test/fixtures/traces/syscall-gens.trace', 'samples/http-server.trace'];
const work = mkdtempSync(join(tmpdir(), 'schedscope-perfetto-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

interface Record {
  ph: string;
  pid: number;
  tid?: number;
  name: string;
  cat?: string;
  id?: string;
  ts: number;
  dur?: number;
  args?: { [key: string]: unknown };
}

async function exported(path: string): Promise<{ summary: PerfettoSummary; records: Record[] }> {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  const summary = await exportPerfetto(join(root, path), stream);
  const text = Buffer.concat(chunks).toString('utf8');
  expect(Buffer.byteLength(text)).toBe(summary.bytes);
  const json = JSON.parse(text) as { traceEvents: Record[]; displayTimeUnit: string };
  return { summary, records: json.traceEvents };
}

/** ns from the format's µs (written to the ns). */
const ns = (micros: number) => Math.round(micros * 1000);

interface AsyncSlice {
  name: string;
  begin: Record;
  end: Record;
}

/**
 * Async slices by category, checking that each track's b/e pair up in order, and those that began
 * and ended inside the trace (as the analyses count them: not restated from before it, not ended by it).
 */
function asyncSlices(records: readonly Record[]): { all: Map<string, AsyncSlice[]>; inside: (cat: string) => AsyncSlice[] } {
  const open = new Map<string, Record[]>();
  const all = new Map<string, AsyncSlice[]>();
  for (const r of records) {
    if (r.ph !== 'b' && r.ph !== 'e') continue;
    const key = `${r.cat}/${r.id}`;
    const stack = open.get(key) ?? [];
    open.set(key, stack);
    if (r.ph === 'b') stack.push(r);
    else {
      const begin = stack.pop();
      expect(begin, `an end with a begin on ${key}`).toBeDefined();
      expect(begin!.name).toBe(r.name);
      expect(r.ts).toBeGreaterThanOrEqual(begin!.ts);
      const list = all.get(r.cat!) ?? [];
      all.set(r.cat!, list);
      list.push({ name: r.name, begin: begin!, end: r });
    }
  }
  for (const [key, stack] of open) expect(stack, `nothing left open on ${key}`).toEqual([]);
  const inside = (cat: string) => (all.get(cat) ?? []).filter((s) => s.begin.args?.['begunBefore'] === undefined && s.end.args?.['endedWithTrace'] === undefined);
  return { all, inside };
}

describe('exportPerfetto', () => {
  it.each(TRACES)('%s: agrees with the analyses', async (path) => {
    const { summary, records } = await exported(path);
    const report = await analyze(join(root, path), { analyses: ['procs', 'gc', 'annotations', 'metrics'] });

    // Goroutine slices: per P, no overlap, summing to the Ps analysis' busy time.
    const busy = new Map<number, number>();
    const lastEnd = new Map<number, number>();
    const slices = records.filter((r) => r.ph === 'X' && r.cat === 'goroutine');
    expect(slices.length).toBe(summary.goroutineSlices);
    for (const r of slices.sort((a, b) => a.ts - b.ts)) {
      expect(ns(r.ts)).toBeGreaterThanOrEqual(lastEnd.get(r.tid!) ?? 0);
      lastEnd.set(r.tid!, ns(r.ts) + ns(r.dur!));
      busy.set(r.tid!, (busy.get(r.tid!) ?? 0) + ns(r.dur!));
    }
    for (const { proc, busyNs } of report.procs!.procs) expect(busy.get(proc) ?? 0, `P${proc}`).toBe(busyNs);
    expect(slices.length).toBeGreaterThan(0);

    // Syscall slices: one at a time per thread; as many at once, at most, as the metrics analysis
    // saw goroutines in syscalls (equal times ordered ends-first and starts-first bound it).
    const syscalls = records.filter((r) => r.ph === 'X' && r.cat === 'syscall');
    expect(syscalls.length).toBe(summary.syscallSlices);
    if (path.includes('syscall')) expect(syscalls.length).toBeGreaterThan(10);
    const threadEnd = new Map<number, number>();
    for (const r of [...syscalls].sort((a, b) => a.ts - b.ts)) {
      expect(ns(r.ts)).toBeGreaterThanOrEqual(threadEnd.get(r.tid!) ?? 0);
      threadEnd.set(r.tid!, ns(r.ts) + ns(r.dur!));
    }
    const mostAtOnce = (endsFirst: boolean) => {
      const edges = syscalls.flatMap((r) => [[ns(r.ts), 1], [ns(r.ts) + ns(r.dur!), -1]] as const);
      edges.sort((a, b) => a[0] - b[0] || (endsFirst ? a[1] - b[1] : b[1] - a[1]));
      let now = 0;
      let most = 0;
      for (const [, change] of edges) most = Math.max(most, (now += change));
      return most;
    };
    expect(report.metrics!.threads.maxInSyscall).toBeGreaterThanOrEqual(mostAtOnce(true));
    expect(report.metrics!.threads.maxInSyscall).toBeLessThanOrEqual(mostAtOnce(false));

    // Runtime ranges: the GC's cycles and stop-the-world pauses.
    const ranges = asyncSlices(records);
    expect(ranges.inside('GC concurrent mark phase').length, 'GC cycles').toBe(report.gc!.cycles.count);
    expect(ranges.inside('stop-the-world').length, 'stop-the-world pauses').toBe(report.gc!.stw.count);
    expect([...ranges.all.values()].flat().length).toBe(summary.ranges + summary.tasks + summary.regions + [...ranges.all.values()].flat().filter((s) => s.end.args?.['endedWithTrace'] !== undefined).length);

    // User annotations.
    const countBy = (list: AsyncSlice[]) => {
      const counts: { [type: string]: number } = {};
      for (const { name } of list) counts[name] = (counts[name] ?? 0) + 1;
      return counts;
    };
    const complete = (types: { type: string; complete: number }[]) => Object.fromEntries(types.map((t) => [t.type, t.complete]));
    expect(countBy(ranges.inside('task'))).toEqual(complete(report.annotations!.tasks));
    expect(countBy(ranges.inside('region'))).toEqual(complete(report.annotations!.regions));
    const logs: { [category: string]: number } = {};
    for (const r of records.filter((r) => r.ph === 'i')) logs[r.name] = (logs[r.name] ?? 0) + 1;
    expect(logs).toEqual(Object.fromEntries(report.annotations!.logs.map((l) => [l.category === '' ? 'log' : l.category, l.count])));
  });

  it('writes a heap sample per heap metric event, and goroutine counts no more often than asked', async () => {
    const path = join(root, 'samples/http-server.trace');
    const every = new PassThrough();
    const records: Record[] = [];
    let text = '';
    every.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    await exportPerfetto(path, every, { counterIntervalNs: 0 });
    records.push(...(JSON.parse(text) as { traceEvents: Record[] }).traceEvents);
    const heap = records.filter((r) => r.ph === 'C' && r.name === 'Heap');
    const stat = spawnSync(process.execPath, [cli, 'stat', path, '--json'], { encoding: 'utf8' });
    const byType = (JSON.parse(stat.stdout) as { eventsByWireType: { [type: string]: { events: number } } }).eventsByWireType;
    expect(heap.length).toBe(byType['HeapAlloc']!.events);
    const counts = records.filter((r) => r.ph === 'C' && r.name === 'Goroutines');
    const { records: sampled } = await exported('samples/http-server.trace');
    const coarse = sampled.filter((r) => r.ph === 'C' && r.name === 'Goroutines');
    expect(coarse.length).toBeLessThan(counts.length);
    const times = coarse.map((r) => ns(r.ts));
    for (let k = 1; k < times.length - 1; k++) expect(times[k]! - times[k - 1]!).toBeGreaterThanOrEqual(100_000);
    // Every change is a sample with counterIntervalNs 0: the running count never goes below 0.
    for (const r of counts) expect(r.args!['running']).toBeGreaterThanOrEqual(0);
  });

  it('flipped bytes: the export, or a typed error; never a hang or another error', async () => {
    const bytes = readFileSync(join(root, 'test/analysis/data/mixed.trace'));
    const random = mulberry32(1206);
    for (let round = 0; round < 12; round++) {
      const damaged = Uint8Array.from(bytes);
      const at = 16 + Math.floor(random() * (damaged.length - 16));
      damaged[at] = damaged[at]! ^ (1 << Math.floor(random() * 8));
      try {
        await exportPerfetto(damaged, new PassThrough().resume());
      } catch (error) {
        expect(error instanceof TraceFormatError, String(error)).toBe(true);
      }
    }
  });

  it('rejects a broken trace with the typed error', async () => {
    const bytes = readFileSync(join(root, 'samples/http-server.trace'));
    await expect(exportPerfetto(bytes.subarray(0, bytes.length >> 1), new PassThrough())).rejects.toThrow(TraceFormatError);
  });
});

describe('schedscope perfetto', () => {
  it('writes JSON, gzipped for a .gz name, and says what it wrote on stderr', () => {
    const plain = join(work, 'out.json');
    const gzipped = join(work, 'out.json.gz');
    const trace = join(root, 'test/analysis/data/mixed.trace');
    const first = spawnSync(process.execPath, [cli, 'perfetto', trace, '-o', plain], { encoding: 'utf8' });
    expect(first.status).toBe(0);
    expect(first.stderr).toMatch(/events → [\d,]+ goroutine slices/);
    expect(spawnSync(process.execPath, [cli, 'perfetto', trace, '-o', gzipped]).status).toBe(0);
    expect(gunzipSync(readFileSync(gzipped)).equals(readFileSync(plain))).toBe(true);
    const piped = spawnSync(process.execPath, [cli, 'perfetto', trace, '-o', '-'], { maxBuffer: 1 << 28 });
    expect(piped.stdout.equals(readFileSync(plain))).toBe(true);
  });

  it('exports a window as it exports the trace cut to it, and leaves no file for a window that is not there', async () => {
    const trace = join(root, 'test/fixtures/traces/gc-active.trace');
    const cutFile = join(work, 'cut.trace');
    await cutTrace(trace, cutFile, { generations: { first: 3, last: 5 } });
    const ofCut = join(work, 'of-cut.json');
    const ofWindow = join(work, 'of-window.json');
    expect(spawnSync(process.execPath, [cli, 'perfetto', cutFile, '-o', ofCut]).status).toBe(0);
    expect(spawnSync(process.execPath, [cli, 'perfetto', trace, '--generations', '3..5', '-o', ofWindow]).status).toBe(0);
    expect(readFileSync(ofWindow).equals(readFileSync(ofCut))).toBe(true);
    const missing = join(work, 'missing.json');
    const beyond = spawnSync(process.execPath, [cli, 'perfetto', trace, '--generations', '30', '-o', missing], { encoding: 'utf8' });
    expect(beyond.status).not.toBe(0);
    expect(beyond.stderr).toMatch(/the trace has 17/);
    expect(existsSync(missing)).toBe(false);
  });
});
