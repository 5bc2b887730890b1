// `schedscope stat <trace> [--json]`: what a trace contains and how fast it decodes — format
// version, bytes, generations, event counts by kind and by wire type, time span, throughput.
import type { Command } from 'commander';
import { performance } from 'node:perf_hooks';
import { summarizeTraceError, TraceFormatError, type TraceErrorSummary } from '../errors.js';
import { EVENT_KIND_NAMES, wireTypeName } from '../model/index.js';
import { openTrace, type TraceSource } from '../trace.js';
import { parseByteCount } from './dump.js';
import { createProgress } from './output.js';
import { progressTotal, readWindow, selectionOf, windowOptions, type WindowFlags } from './window.js';

export interface TraceStatistics {
  file: string;
  formatVersion: string;
  bytes: number;
  generations: number;
  events: number;
  eventsByKind: Record<string, number>;
  eventsByWireType: Record<string, { events: number; bytes: number }>;
  firstEventNs: number | null;
  lastEventNs: number | null;
  spanNs: number;
  decodeSeconds: number;
  megabytesPerSecond: number;
  eventsPerSecond: number;
  peakRssBytes: number;
  error: TraceErrorSummary | null;
}

export async function collectStatistics(
  path: TraceSource,
  options: { maxGenerationBytes?: number; onProgress?: (bytesRead: number) => void } = {},
): Promise<TraceStatistics> {
  const started = performance.now();
  const trace = await openTrace(path, {
    maxGenerationBytes: options.maxGenerationBytes,
    onProgress: (p) => options.onProgress?.(p.bytesRead),
  });
  const byKind = new Float64Array(256);
  const byType = new Float64Array(256);
  const bytesByType = new Float64Array(256);
  let events = 0;
  let first: number | null = null;
  let last: number | null = null;
  let error: TraceStatistics['error'] = null;
  try {
    for await (const batch of trace.batches()) {
      const n = batch.length;
      if (n === 0) continue;
      const { kind, wireType, size, timeNs } = batch;
      for (let i = 0; i < n; i++) {
        byKind[kind[i]!]!++;
        const t = wireType[i]!;
        byType[t]!++;
        bytesByType[t]! += size[i]!;
      }
      events += n;
      if (first === null) first = timeNs[0]!;
      last = timeNs[n - 1]!;
    }
  } catch (e) {
    if (!(e instanceof TraceFormatError)) throw e;
    error = summarizeTraceError(e);
  }
  const seconds = (performance.now() - started) / 1000;
  const eventsByKind: Record<string, number> = {};
  byKind.forEach((count, k) => {
    if (count > 0) eventsByKind[EVENT_KIND_NAMES[k] ?? `Kind(${k})`] = count;
  });
  const eventsByWireType: Record<string, { events: number; bytes: number }> = {};
  byType.forEach((count, t) => {
    if (count > 0) eventsByWireType[wireTypeName(t)] = { events: count, bytes: bytesByType[t]! };
  });
  const bytes = trace.stats.bytesRead;
  return {
    file: typeof path === 'string' ? path : path instanceof URL ? path.href : '-', // bytes or a stream: standard input
    formatVersion: trace.version,
    bytes,
    generations: trace.stats.generations,
    events,
    eventsByKind,
    eventsByWireType,
    firstEventNs: first,
    lastEventNs: last,
    spanNs: first === null || last === null ? 0 : last - first,
    decodeSeconds: seconds,
    megabytesPerSecond: bytes / 1e6 / seconds,
    eventsPerSecond: events / seconds,
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
    error,
  };
}

function table(rows: Array<[string, string, string]>): string {
  const w0 = Math.max(...rows.map((r) => r[0].length));
  const w1 = Math.max(...rows.map((r) => r[1].length));
  return rows.map(([a, b, c]) => `  ${a.padEnd(w0)}  ${b.padStart(w1)}  ${c}`.trimEnd()).join('\n');
}

export function formatStatistics(s: TraceStatistics): string {
  const pct = (n: number) => `${((100 * n) / Math.max(1, s.events)).toFixed(1)}%`;
  const lines = [
    `file             ${s.file}`,
    `format           go ${s.formatVersion} trace`,
    `bytes            ${s.bytes.toLocaleString('en-US')}`,
    `generations      ${s.generations}`,
    `events           ${s.events.toLocaleString('en-US')}`,
    `time span        ${(s.spanNs / 1e6).toFixed(3)} ms`,
    `decode           ${s.decodeSeconds.toFixed(3)} s, ${s.megabytesPerSecond.toFixed(1)} MB/s, ${(s.eventsPerSecond / 1e6).toFixed(2)} M events/s`,
    `peak RSS         ${(s.peakRssBytes / 2 ** 20).toFixed(1)} MiB`,
    '',
    'events by kind',
    table(Object.entries(s.eventsByKind).sort((a, b) => b[1] - a[1]).map(([k, n]) => [k, n.toLocaleString('en-US'), pct(n)])),
    '',
    'events by wire type (count, bytes in file)',
    table(
      Object.entries(s.eventsByWireType)
        .sort((a, b) => b[1].bytes - a[1].bytes)
        .map(([t, v]) => [t, v.events.toLocaleString('en-US'), `${v.bytes.toLocaleString('en-US')} B`]),
    ),
  ];
  if (s.error) lines.push('', `error            ${s.error.name}: ${s.error.reason} (byte ${s.error.offset}, generation ${s.error.generation ?? '-'})`);
  return `${lines.join('\n')}\n`;
}

export function register(program: Command): void {
  windowOptions(
    program
      .command('stat')
      .description('format version, size, generations, event counts by kind and wire type, time span, decode throughput')
      .argument('<trace>', 'trace file, or - for standard input'),
  )
    .option('--json', 'print JSON')
    .option('--no-progress', 'no progress bar on stderr')
    .option('--max-generation-bytes <n>', 'largest generation to buffer, in bytes', parseByteCount)
    .action(async (path: string, opts: WindowFlags & { json?: boolean; progress: boolean; maxGenerationBytes?: number }) => {
      const selection = selectionOf(opts);
      const progress = createProgress(progressTotal(path, selection), opts.progress);
      const counted = await readWindow(path, selection, (source) => collectStatistics(source, { maxGenerationBytes: opts.maxGenerationBytes, onProgress: (b) => progress.update(b) }));
      // A window is read from a stream: name the file it came from.
      const stats = selection === undefined ? counted : { ...counted, file: path };
      progress.stop();
      process.stdout.write(opts.json ? `${JSON.stringify(stats, null, 2)}\n` : formatStatistics(stats));
      if (stats.error) process.exitCode = 1;
    });
}
