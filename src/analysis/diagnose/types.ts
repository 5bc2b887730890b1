// The shapes shared by every diagnose rule: a finding, its evidence, and the rule contract.
import type { AnalysisName, AnalysisReport } from '../analyze.js';
import type { Frame } from '../events.js';
import type { GodebugSummary } from './godebug.js';
import type { Thresholds } from './thresholds.js';

/** What rules read: an analysis report, and for GODEBUG logs the log's own summary. */
export type DiagnoseInput = AnalysisReport & { godebug?: GodebugSummary };

export type Severity = 'critical' | 'warning' | 'info';

export const SEVERITY_RANK: Record<Severity, number> = { critical: 0, warning: 1, info: 2 };

/** One measured number behind a finding. */
export interface Measurement {
  name: string;
  value: number;
  unit: string;
  /** The threshold it was compared against, when it decided the finding. */
  threshold?: number;
}

export interface SeedReference {
  /** Seed file under shared/seeds. */
  file: string;
  section: string;
}

export interface Finding {
  /** Stable rule id (e.g. "gc-tail-latency"). */
  id: string;
  title: string;
  severity: Severity;
  /** How far past its threshold the worst measurement is (1 = at the threshold); ranks findings of equal severity. */
  score: number;
  evidence: {
    /** One line, numbers with units. */
    summary: string;
    measurements: Measurement[];
  };
  /** Goroutine groups (start functions) involved, most affected first. */
  groups: string[];
  /** Stacks involved (innermost frame first), most significant first. */
  stacks: { label: string; frames: string[] }[];
  remedy: string;
  seed: SeedReference;
  /** Where in the trace the symptom is worst, for rules that can tell (see window.ts). */
  window?: TimeWindow;
}

/** A stretch of the trace, in ns since it began (the origin of `schedscope cut --from/--to`). */
export interface TimeWindow {
  fromNs: number;
  toNs: number;
  /** What marks it, e.g. "longest GC cycle (6.3ms)". */
  what: string;
}

/** A rule reads the analysis report (never raw events) and returns a finding or nothing. */
export interface DiagnoseRule {
  id: string;
  /** The analyses the rule reads; diagnose() runs exactly the union of these. */
  needs: readonly AnalysisName[];
  evaluate(report: DiagnoseInput, thresholds: Thresholds): Finding | undefined;
}

export function frameNames(frames: readonly Frame[], depth = 6): string[] {
  return frames.slice(0, depth).map((f) => f.func);
}

/** Severity from how far a value is past its threshold: ≥ criticalRatio × threshold is critical. */
export function severityFor(ratio: number, criticalRatio = 4): Severity {
  return ratio >= criticalRatio ? 'critical' : 'warning';
}
