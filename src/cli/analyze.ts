// `schedscope analyze <trace> [--json]`: every analysis in one streaming pass.
import { InvalidArgumentError, type Command } from 'commander';
import { analyze, ANALYSIS_NAMES, type AnalysisName, type AnalysisReport, type AnalyzeOptions, type PlacementPolicy } from '../analysis/analyze.js';
import { createProgress, LineWriter } from './output.js';
import { progressTotal, readWindowWithCut, selectionOf, windowInfo, windowOptions, windowText, type WindowFlags, type WindowInfo } from './window.js';
import type { TraceErrorSummary } from '../errors.js';

/** "64m", "1g", "4096" → bytes (the analysis commands' --max-generation-bytes). */
export function parseByteCount(text: string): number {
  const match = /^(\d+)\s*([kmg]i?b?)?$/i.exec(text.trim());
  if (!match) throw new Error(`not a byte count: ${text}`);
  const unit = (match[2] ?? '').toLowerCase()[0];
  const scale = unit === 'k' ? 1024 : unit === 'm' ? 1024 ** 2 : unit === 'g' ? 1024 ** 3 : 1;
  return Number(match[1]) * scale;
}

/**
 * A broken trace still gets its results for the events before the break (the trace of a program
 * that crashed mid-write is the common case): the error goes to stderr, and the exit status is 1.
 */
export function warnTraceError(error: TraceErrorSummary | undefined): void {
  if (error === undefined) return;
  process.stderr.write(`schedscope: ${error.name}: ${error.message}; the results cover the events before it\n`);
  process.exitCode = 1;
}

/**
 * Runs analyze() with a progress bar on stderr (interactive terminals only). A broken trace gives
 * the report of the events before the break (see warnTraceError).
 */
export async function analyzeWithProgress(path: string, options: AnalyzeOptions, showProgress = true, window?: WindowFlags): Promise<AnalysisReport & { window?: WindowInfo }> {
  const selection = window === undefined ? undefined : selectionOf(window);
  const progress = createProgress(progressTotal(path, selection), showProgress);
  let report: AnalysisReport & { window?: WindowInfo };
  try {
    const read = await readWindowWithCut(path, selection, (source) => analyze(source, { onTraceError: 'report', ...options, onProgress: (p) => progress.update(p.bytesRead) }));
    report = read.cut === undefined ? read.value : { ...read.value, window: windowInfo(read.cut) };
  } finally {
    progress.stop();
  }
  warnTraceError(report.error);
  return report;
}

export function parsePositiveInteger(text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`not a positive integer: ${text}`);
  return n;
}

export function parsePlacement(text: string): PlacementPolicy {
  if (text !== 'compact' && text !== 'numa' && text !== 'none') throw new InvalidArgumentError(`placement must be compact, numa or none, got ${text}`);
  return text;
}

export function formatNs(ns: number): string {
  if (ns >= 1e9) return `${(ns / 1e9).toFixed(3)}s`;
  if (ns >= 1e6) return `${(ns / 1e6).toFixed(3)}ms`;
  if (ns >= 1e3) return `${(ns / 1e3).toFixed(1)}µs`;
  return `${Math.round(ns)}ns`;
}

/** Code outside the standard library: package main, or a module path (first element has a dot). */
function isUserFrame(frame: { func: string }): boolean {
  return frame.func.startsWith('main.') || /^[^/]*\.[^/]*\//.test(frame.func);
}

function pct(x: number): string {
  return `${(x * 100).toFixed(1)}%`;
}

function parseAnalyses(text: string): AnalysisName[] {
  const names = text.split(',').map((s) => s.trim()).filter(Boolean);
  for (const name of names) if (!ANALYSIS_NAMES.includes(name as AnalysisName)) throw new Error(`unknown analysis "${name}" (known: ${ANALYSIS_NAMES.join(', ')})`);
  return names as AnalysisName[];
}

/** The human-readable summary: the evidence a performance investigation starts from. */
export function summaryText(r: AnalysisReport & { window?: WindowInfo }): string {
  const lines: string[] = [];
  const add = (s = '') => lines.push(s);
  add(`trace: ${r.trace.events} events, ${r.trace.generations} generations, ${formatNs(r.trace.durationNs)}${r.window ? `: ${windowText(r.window)}` : ''}`);
  if (r.mmu) {
    const at = (w: number) => r.mmu!.curve.reduce((best, p) => (Math.abs(Math.log(p.windowNs / w)) < Math.abs(Math.log(best.windowNs / w)) ? p : best));
    add(`\nMMU (mutator utilisation, flags ${r.mmu.flags}): ` + [1e5, 1e6, 1e7, 1e8, 1e9].map((w) => `${formatNs(at(w).windowNs)}=${at(w).mmu.toFixed(3)}`).join('  '));
  }
  if (r.gc) {
    const g = r.gc;
    add(`GC: ${g.cycles.count} cycles (${g.cycles.perSecond.toFixed(1)}/s), mark p50 ${formatNs(g.cycles.duration.p50Ns)}; STW ${g.stw.count} pauses, total ${formatNs(g.stw.totalNs)}, max ${formatNs(g.stw.maxNs)} (${pct(g.stwFraction)} of the trace)`);
    add(`  mark assists: ${g.assists.count}, ${formatNs(g.assists.totalNs)}` + (g.assists.byGroup.length ? ` — most in ${g.assists.byGroup.slice(0, 3).map((x) => `${x.group || '(unnamed)'} ${formatNs(x.ns)}`).join(', ')}` : ''));
    add(`  sweeps: ${g.sweeps.count}, ${formatNs(g.sweeps.totalNs)}`);
  }
  if (r.schedLatency) {
    const s = r.schedLatency.overall;
    add(`\nscheduler latency (runnable → running): n=${s.count} p50 ${formatNs(s.p50Ns)} p90 ${formatNs(s.p90Ns)} p99 ${formatNs(s.p99Ns)} p99.9 ${formatNs(s.p999Ns)} max ${formatNs(s.maxNs)}`);
    for (const g of r.schedLatency.byGroup.slice(0, 5)) add(`  ${g.group || '(unnamed)'}: total ${formatNs(g.totalNs)}, p99 ${formatNs(g.p99Ns)}`);
  }
  if (r.metrics) {
    const m = r.metrics;
    add(`\ngoroutines: ${m.goroutines.created} created, max ${m.goroutines.max} alive, max ${m.goroutines.maxRunnable} runnable; threads seen ${m.threads.seen}, max ${m.threads.maxInSyscall} in syscalls at once`);
    add(`heap: ${(m.heap.firstBytes / 2 ** 20).toFixed(1)} → ${(m.heap.lastBytes / 2 ** 20).toFixed(1)} MiB (max ${(m.heap.maxBytes / 2 ** 20).toFixed(1)}), ${(m.heap.growthBytesPerSecond / 2 ** 20).toFixed(1)} MiB/s; GOMAXPROCS ${m.gomaxprocs.last} (${m.gomaxprocs.changes} changes)`);
  }
  if (r.procs) {
    const p = r.procs;
    add(`\nPs: busy ${p.procs.map((x) => pct(x.busyFraction)).join(' ')}; imbalance ${p.imbalance.toFixed(2)}; runnable while a P was idle: ${formatNs(p.runnableWhileIdleNs)} (${pct(p.runnableWhileIdleFraction)})`);
  }
  if (r.goroutines) {
    add(`\ngoroutine groups by execution time${r.goroutines.oneThreadGoroutines ? ` (${r.goroutines.oneThreadGoroutines} goroutines always ran on one thread: LockOSThread?)` : ''}:`);
    for (const g of r.goroutines.groups.slice(0, 10)) {
      add(`  ${String(g.count).padStart(6)}  exec ${formatNs(g.execNs).padStart(10)}  sched ${formatNs(g.schedWaitNs).padStart(10)}  blocked ${formatNs(g.blockNs).padStart(10)}  syscall ${formatNs(g.syscallNs + g.syscallBlockNs).padStart(10)}  ${g.name || '(unnamed)'}`);
    }
  }
  if (r.profiles) {
    for (const kind of ['sync', 'net', 'syscall', 'sched'] as const) {
      const prof = r.profiles[kind];
      const top = prof.entries[0];
      if (!top) continue;
      const where = top.stack.find(isUserFrame) ?? top.stack[0];
      add(`${kind} profile: ${prof.count} intervals, ${formatNs(prof.totalNs)}; top stack ${formatNs(top.totalNs)} at ${where ? `${where.func} (${where.file}:${where.line})` : '(no stack)'}`);
    }
  }
  if (r.annotations && (r.annotations.tasks.length || r.annotations.regions.length || r.annotations.logs.length)) {
    add(`\nuser annotations:`);
    for (const t of r.annotations.tasks) add(`  task ${t.type}: ${t.total} (${t.complete} complete), p50 ${formatNs(t.p50Ns)} p99 ${formatNs(t.p99Ns)}`);
    for (const t of r.annotations.regions) add(`  region ${t.type}: ${t.total} (${t.complete} complete), p50 ${formatNs(t.p50Ns)} p99 ${formatNs(t.p99Ns)}`);
    for (const l of r.annotations.logs) add(`  log ${l.category}: ${l.count}`);
  }
  if (r.cpuSamples && r.cpuSamples.samples > 0) {
    add(`\nCPU samples: ${r.cpuSamples.samples}; top: ${r.cpuSamples.topFlat.slice(0, 5).map((f) => `${f.func} ${pct(f.flatFraction)}`).join(', ')}`);
  }
  if (r.footprint && r.footprint.bytes > 0) {
    add(`\nfootprint: ${r.footprint.byType.slice(0, 6).map((t) => `${t.name} ${pct(t.byteFraction)}`).join(', ')}`);
  }
  const ex = r.execution;
  if (ex.mode === 'parallel') {
    const w = ex.work;
    const merging = Object.values(w.mergeMs).reduce((sum, ms) => sum + ms, 0);
    const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
    add(`\n(parallel analysis on ${ex.workers} workers, placement ${ex.placement}: ${w.runs} run${w.runs === 1 ? "" : "s"}, ${w.warmUps} after a warm-up generation (${seconds(w.warmUpMs)}); workers ${seconds(w.runMs)} on the runs, ${seconds(w.partialsMs)} on partials; merging ${seconds(merging)} on this thread${w.rerunsAfterHints > 0 ? `; ${w.rerunsAfterHints} run${w.rerunsAfterHints === 1 ? '' : 's'} decoded again after a hint missed` : ''})`);
  } else {
    add(`\n(sequential analysis${ex.reason ? `: ${ex.reason}` : ''})`);
  }
  return lines.join('\n') + '\n';
}

export function register(program: Command): void {
  windowOptions(
    program
      .command('analyze')
      .description('run every analysis (goroutines, scheduler latency, GC and MMU, Ps, metrics, profiles, annotations, CPU samples, footprint) in one streaming pass')
      .argument('<trace>', 'trace file, or - for standard input'),
  )
    .option('--json', 'print the full report as JSON')
    .option('--analyses <names>', `comma-separated subset of: ${ANALYSIS_NAMES.join(', ')}`, parseAnalyses)
    .option('--go-compat', 'reproduce go tool trace exactly: profiles as -pprof (drops creation-to-first-run latency), MMU as /mmu (counts a mark worker\'s labelled start twice, takes every labelled goroutine for one)')
    .option('--workers <n>', 'analyse generations on n pinned worker threads (file input only; default 1)', parsePositiveInteger)
    .option('--placement <policy>', 'worker pinning with --workers: compact, numa or none', parsePlacement)
    .option('--no-progress', 'no progress bar on stderr')
    .option('--max-generation-bytes <n>', 'largest generation to buffer, in bytes', parseByteCount)
    .action(async (path: string, opts: WindowFlags & { json?: boolean; analyses?: AnalysisName[]; goCompat?: boolean; workers?: number; placement?: PlacementPolicy; progress: boolean; maxGenerationBytes?: number }) => {
      const report = await analyzeWithProgress(
        path,
        {
          ...(opts.analyses ? { analyses: opts.analyses } : {}),
          ...(opts.goCompat ? { profiles: { goCompatible: true }, mmu: { goCompatible: true } } : {}),
          ...(opts.workers !== undefined ? { workers: opts.workers } : {}),
          ...(opts.placement !== undefined ? { placement: opts.placement } : {}),
          ...(opts.maxGenerationBytes !== undefined ? { maxGenerationBytes: opts.maxGenerationBytes } : {}),
        },
        opts.progress,
        opts,
      );
      const out = new LineWriter();
      await out.write(opts.json ? `${JSON.stringify(report, null, 2)}\n` : summaryText(report));
      await out.flush();
    });
}
