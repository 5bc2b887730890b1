// diagnose(): the seeds' trace symptoms, found automatically. Each rule (one file per symptom)
// reads the analysis report and returns at most one finding; findings come back ranked.
import { analyze, type AnalysisName, type AnalysisReport, type AnalyzeOptions } from '../analyze.js';
import type { TraceSource } from '../../trace.js';
import type { TraceErrorSummary } from '../../errors.js';
import { burstyChannelRule } from './bursty-channel.js';
import { costlyAnnotationsRule } from './costly-annotations.js';
import { gcTailLatencyRule } from './gc-tail-latency.js';
import { goroutineExplosionRule } from './goroutine-explosion.js';
import { lockedThreadsRule } from './locked-threads.js';
import { oversizedTraceRule } from './oversized-trace.js';
import { schedLatencyRule } from './sched-latency.js';
import { syscallStormRule } from './syscall-storm.js';
import { runqueueImbalanceRule } from './runqueue-imbalance.js';
import { procImbalanceRule } from './proc-imbalance.js';
import { cpuHogRule } from './cpu-hog.js';
import { heapGrowthRule } from './heap-growth.js';
import { threadChurnRule } from './thread-churn.js';
import { godebugReport, parseGodebugLog } from './godebug.js';
import { resolveThresholds, type Thresholds } from './thresholds.js';
import { SEVERITY_RANK, type DiagnoseInput, type DiagnoseRule, type Finding } from './types.js';

export { DEFAULT_THRESHOLDS, resolveThresholds, type Thresholds } from './thresholds.js';
export type { DiagnoseInput, DiagnoseRule, Finding, Measurement, SeedReference, Severity, TimeWindow } from './types.js';
export { GodebugParser, parseGodebugLog, godebugReport, type GodebugSummary, type GodebugOptions, type SchedSample } from './godebug.js';

/** In priority order (the order the seeds' symptoms are usually worth fixing). */
export const DIAGNOSE_RULES: readonly DiagnoseRule[] = [
  gcTailLatencyRule,
  syscallStormRule,
  cpuHogRule,
  schedLatencyRule,
  goroutineExplosionRule,
  burstyChannelRule,
  lockedThreadsRule,
  threadChurnRule,
  heapGrowthRule,
  costlyAnnotationsRule,
  oversizedTraceRule,
  runqueueImbalanceRule,
  procImbalanceRule,
];

export interface DiagnoseOptions extends Omit<AnalyzeOptions, 'analyses'> {
  /** Override any named threshold (see docs/diagnose.md). */
  thresholds?: Partial<Thresholds>;
  /** Run only these rules (ids); default all. */
  rules?: readonly string[];
}

export interface DiagnoseResult {
  /** Ranked: severity first, then how far past its threshold. */
  findings: Finding[];
  rulesRun: string[];
  thresholds: Thresholds;
  trace: AnalysisReport['trace'];
  /** Set when the input was a GODEBUG log. */
  input: 'trace' | 'godebug';
  /** With `onTraceError: 'report'`, where the trace broke: the findings are about the events before it. */
  error?: TraceErrorSummary;
}

function selectRules(ids: readonly string[] | undefined): DiagnoseRule[] {
  if (ids === undefined) return [...DIAGNOSE_RULES];
  return ids.map((id) => {
    const rule = DIAGNOSE_RULES.find((r) => r.id === id);
    if (!rule) throw new Error(`unknown diagnose rule "${id}" (known: ${DIAGNOSE_RULES.map((r) => r.id).join(', ')})`);
    return rule;
  });
}

export function rankFindings(findings: Finding[]): Finding[] {
  return findings.sort((a, b) => SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] || b.score - a.score);
}

/** Applies the rules to an existing analysis report (rules whose analyses are missing stay quiet). */
export function diagnoseReport(report: DiagnoseInput, options: Pick<DiagnoseOptions, 'thresholds' | 'rules'> = {}): DiagnoseResult {
  const thresholds = resolveThresholds(options.thresholds);
  const rules = selectRules(options.rules);
  const findings: Finding[] = [];
  for (const rule of rules) {
    const finding = rule.evaluate(report, thresholds);
    if (finding) findings.push(finding);
  }
  return { findings: rankFindings(findings), rulesRun: rules.map((r) => r.id), thresholds, trace: report.trace, input: report.godebug ? 'godebug' : 'trace' };
}

/** The analyses the selected rules read. */
export function analysesFor(ruleIds?: readonly string[]): AnalysisName[] {
  return [...new Set(selectRules(ruleIds).flatMap((r) => r.needs))];
}

/**
 * Analyses a trace (one streaming pass, only the analyses the rules need) and returns the seeds'
 * symptoms found in it, ranked.
 *
 * @example
 * const { findings } = await diagnose('app.trace');
 * for (const f of findings) console.log(f.severity, f.title, f.evidence.summary);
 */
export async function diagnose(source: TraceSource, options: DiagnoseOptions = {}): Promise<DiagnoseResult> {
  const { thresholds, rules, ...analyzeOptions } = options;
  // Validate before spending a pass on the trace.
  resolveThresholds(thresholds);
  const report = await analyze(source, { ...analyzeOptions, analyses: analysesFor(rules) });
  const result = diagnoseReport(report, { ...(thresholds ? { thresholds } : {}), ...(rules ? { rules } : {}) });
  if (report.error !== undefined) result.error = report.error;
  return result;
}

/**
 * The same rules on a GODEBUG=schedtrace=N[,scheddetail=1],gctrace=1 log (a Go program's stderr),
 * parsed as a stream. Rules whose figures the log lacks (MMU, stacks, channel waits, annotations,
 * trace size) stay quiet.
 */
export async function diagnoseLog(source: Parameters<typeof parseGodebugLog>[0], options: Pick<DiagnoseOptions, 'thresholds' | 'rules'> = {}): Promise<DiagnoseResult> {
  const thresholds = resolveThresholds(options.thresholds);
  const summary = await parseGodebugLog(source, { runqueueMinQueued: thresholds.runqueueMinQueued, runqueueImbalance: thresholds.runqueueImbalance });
  return diagnoseReport(godebugReport(summary), options);
}
