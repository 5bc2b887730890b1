// `schedscope diagnose <trace> [--json]`: the seeds' symptoms found in a trace, ranked.
import type { Command } from 'commander';
import { closeSync, openSync, readSync } from 'node:fs';
import { DEFAULT_THRESHOLDS, DIAGNOSE_RULES, diagnose, diagnoseLog, type DiagnoseResult, type Thresholds, type TimeWindow } from '../analysis/diagnose/index.js';
import type { PlacementPolicy } from '../analysis/analyze.js';
import { parseByteCount, parsePlacement, parsePositiveInteger, warnTraceError } from './analyze.js';
import { createProgress, LineWriter } from './output.js';
import { progressTotal, readWindowWithCut, selectionOf, windowInfo, windowOptions, windowText, type WindowFlags, type WindowInfo } from './window.js';

const SEVERITY_LABEL = { critical: 'CRITICAL', warning: 'WARNING', info: 'INFO' } as const;

/** "name=value" → accumulated threshold overrides (repeatable option). */
function parseThreshold(text: string, previous: Partial<Thresholds> = {}): Partial<Thresholds> {
  const match = /^([A-Za-z0-9]+)=(.+)$/.exec(text.trim());
  if (!match) throw new Error(`--threshold expects name=value, got "${text}"`);
  const name = match[1]!;
  if (!(name in DEFAULT_THRESHOLDS)) throw new Error(`unknown threshold "${name}" (known: ${Object.keys(DEFAULT_THRESHOLDS).join(', ')})`);
  const value = Number(match[2]);
  if (!Number.isFinite(value)) throw new Error(`threshold ${name}: not a number: ${match[2]}`);
  return { ...previous, [name]: value };
}

/** A Go execution trace starts with "go 1.NN trace"; anything else is taken as a GODEBUG log. */
export function looksLikeTrace(path: string): boolean {
  const fd = openSync(path, 'r');
  try {
    const head = Buffer.alloc(16);
    const n = readSync(fd, head, 0, head.length, 0);
    return /^go 1\.\d+ trace/.test(head.subarray(0, n).toString('latin1'));
  } finally {
    closeSync(fd);
  }
}

/** Seconds for `schedscope cut --from/--to`, to the ms, rounded outwards so the window stays inside. */
function cutSeconds(ns: number, round: (x: number) => number): string {
  return `${(round(ns / 1e6) / 1e3).toFixed(3).replace(/\.?0+$/, '')}s`;
}

/** The line that says where a finding is worst and how to look at it, for a finding with a window. */
export function windowLine(window: TimeWindow, tracePath: string | undefined): string {
  const from = cutSeconds(window.fromNs, Math.floor);
  const to = cutSeconds(Math.max(window.toNs, window.fromNs + 1e6), Math.ceil);
  const where = `   where: ${from} to ${to} into the trace, ${window.what}`;
  if (tracePath === undefined || tracePath === '-') return where;
  return `${where}; to open it in go tool trace: schedscope cut ${tracePath} --from ${from} --to ${to} -o window.trace`;
}

/** Terminal rendering: one block per finding, most important first (`tracePath` for the cut commands). */
export function findingsText(result: DiagnoseResult & { window?: WindowInfo }, tracePath?: string): string {
  const lines: string[] = [];
  if (result.window !== undefined) lines.push(`In ${windowText(result.window)}:`);
  if (result.findings.length === 0) {
    lines.push(`No symptoms found (${result.rulesRun.length} rules: ${result.rulesRun.join(', ')}${result.input === 'godebug' ? '; GODEBUG log input' : ''}).`);
    return `${lines.join('\n')}\n`;
  }
  lines.push(`${result.findings.length} finding${result.findings.length === 1 ? '' : 's'} (ranked${result.input === 'godebug' ? ', from a GODEBUG log' : ''}):`);
  result.findings.forEach((f, i) => {
    lines.push('');
    lines.push(`${i + 1}. [${SEVERITY_LABEL[f.severity]}] ${f.title}  (${f.id})`);
    lines.push(`   evidence: ${f.evidence.summary}`);
    if (f.groups.length > 0) lines.push(`   goroutines: ${f.groups.slice(0, 5).map((g) => g || '(unnamed)').join(', ')}`);
    for (const s of f.stacks.slice(0, 3)) {
      lines.push(`   stack: ${s.label}`);
      for (const frame of s.frames.slice(0, 4)) lines.push(`       ${frame}`);
    }
    if (f.window !== undefined) lines.push(windowLine(f.window, tracePath));
    lines.push(`   remedy: ${f.remedy}`);
    lines.push(`   seed: ${f.seed.file}, "${f.seed.section}"`);
  });
  return `${lines.join('\n')}\n`;
}

/**
 * The findings of a window with their windows moved onto the whole trace's timeline (the window
 * began `offsetNs` after the trace did), so the cut commands printed name the trace's own times.
 */
function onTraceTimeline(result: DiagnoseResult, offsetNs: number): DiagnoseResult {
  return {
    ...result,
    findings: result.findings.map((f) => (f.window === undefined ? f : { ...f, window: { ...f.window, fromNs: f.window.fromNs + offsetNs, toNs: f.window.toNs + offsetNs } })),
  };
}

export function register(program: Command): void {
  windowOptions(
    program
      .command('diagnose')
      .description('find the known scheduler/GC symptoms (GC tail latency, syscall storms, scheduler latency, goroutine explosions, …) in a trace, ranked, with evidence and remedy')
      .argument('<trace|log>', 'trace file, a GODEBUG=schedtrace=N[,scheddetail=1],gctrace=1 log (stderr text), or - for a trace on standard input'),
  )
    .option('--log', 'the input is a GODEBUG log (default: detected from the first bytes)')
    .option('--json', 'print the findings as JSON')
    .option('--rules <ids>', `comma-separated subset of: ${DIAGNOSE_RULES.map((r) => r.id).join(', ')}`, (v) => v.split(',').map((s) => s.trim()).filter(Boolean))
    .option('--threshold <name=value>', 'override a threshold (repeatable; see docs/diagnose.md)', parseThreshold)
    .option('--no-progress', 'no progress bar on stderr')
    .option('--max-generation-bytes <n>', 'largest generation to buffer, in bytes', parseByteCount)
    .option('--workers <n>', 'analyse generations on n pinned worker threads (trace files only; default 1)', parsePositiveInteger)
    .option('--placement <policy>', 'worker pinning with --workers: compact, numa or none', parsePlacement)
    .action(async (path: string, opts: WindowFlags & { log?: boolean; json?: boolean; rules?: string[]; threshold?: Partial<Thresholds>; progress: boolean; maxGenerationBytes?: number; workers?: number; placement?: PlacementPolicy }) => {
      const overrides = { ...(opts.rules ? { rules: opts.rules } : {}), ...(opts.threshold ? { thresholds: opts.threshold } : {}) };
      const selection = selectionOf(opts);
      if (opts.log || (path !== '-' && !looksLikeTrace(path))) {
        if (selection !== undefined) throw new Error('--generations, --from and --to select part of a trace, not of a GODEBUG log');
        const result = await diagnoseLog(path === '-' ? process.stdin : path, overrides);
        const out = new LineWriter();
        await out.write(opts.json ? `${JSON.stringify(result, null, 2)}\n` : findingsText(result));
        await out.flush();
        return;
      }
      const progress = createProgress(progressTotal(path, selection), opts.progress);
      let result: DiagnoseResult & { window?: WindowInfo };
      try {
        const read = await readWindowWithCut(path, selection, (source) =>
          diagnose(source, {
            ...(opts.rules ? { rules: opts.rules } : {}),
            ...(opts.threshold ? { thresholds: opts.threshold } : {}),
            ...(opts.maxGenerationBytes !== undefined ? { maxGenerationBytes: opts.maxGenerationBytes } : {}),
            ...(opts.workers !== undefined ? { workers: opts.workers } : {}),
            ...(opts.placement !== undefined ? { placement: opts.placement } : {}),
            onProgress: (p) => progress.update(p.bytesRead),
            onTraceError: 'report',
          }),
        );
        result = read.cut === undefined ? read.value : { ...onTraceTimeline(read.value, read.cut.startNs), window: windowInfo(read.cut) };
      } finally {
        progress.stop();
      }
      warnTraceError(result.error);
      const out = new LineWriter();
      await out.write(opts.json ? `${JSON.stringify(result, null, 2)}\n` : findingsText(result, path));
      await out.flush();
    });
}
