// User annotations (runtime/trace tasks, regions and logs): per task type and region type the count,
// how many completed, and duration percentiles of the completed ones; logs per category.
import type { AnalysisDefinition, AnalyzerInstance } from './analyzer.js';
import type { EventView } from './events.js';
import { Kind } from './events.js';
import { emptyHistogram, mergeHistogramInto, record, summarize, type HistogramData, type LatencySummary } from './histogram.js';
import { eventsOfKinds, kindMask } from './kernels/kernel.js';

const ANNOTATION_KINDS = kindMask(Kind.TaskBegin, Kind.TaskEnd, Kind.RegionBegin, Kind.RegionEnd, Kind.Log);

interface TypeStats {
  count: number;
  complete: number;
  durations: HistogramData;
}

export interface AnnotationsPartial {
  tasks: Record<string, TypeStats>;
  regions: Record<string, TypeStats>;
  logs: Record<string, number>;
  /** Tasks begun and not yet ended: id → {type, start}. */
  openTasks: Record<string, { type: string; start: number }>;
  /** Task ends whose begin this part did not see. */
  orphanTaskEnds: { id: number; type: string; end: number }[];
  /** Per goroutine, regions begun and not yet ended (innermost last). */
  openRegions: Record<string, { type: string; start: number }[]>;
  /** Per goroutine, region ends whose begin this part did not see (in order). */
  orphanRegionEnds: Record<string, { type: string; end: number }[]>;
}

export interface AnnotationTypeReport extends LatencySummary {
  type: string;
  /** Begun or ended in the trace. */
  total: number;
  /** Both begin and end seen; the duration statistics cover these. */
  complete: number;
}

export interface AnnotationsReport {
  tasks: AnnotationTypeReport[];
  regions: AnnotationTypeReport[];
  logs: { category: string; count: number }[];
}

function emptyPartial(): AnnotationsPartial {
  return { tasks: {}, regions: {}, logs: {}, openTasks: {}, orphanTaskEnds: [], openRegions: {}, orphanRegionEnds: {} };
}

function stats(map: Record<string, TypeStats>, type: string): TypeStats {
  let s = map[type];
  if (s === undefined) map[type] = s = { count: 0, complete: 0, durations: emptyHistogram() };
  return s;
}

function completed(map: Record<string, TypeStats>, type: string, ns: number): void {
  const s = stats(map, type);
  s.complete++;
  record(s.durations, ns);
}

class AnnotationsAnalyzer implements AnalyzerInstance<AnnotationsPartial> {
  private readonly p = emptyPartial();

  consume(view: EventView): void {
    const p = this.p;
    // Annotations are rare (a few per thousand events in busy traces): visit only those.
    const selected = eventsOfKinds(view, ANNOTATION_KINDS);
    for (let k = 0; k < selected.length; k++) {
      const i = selected[k]!;
      const kind = view.kind(i);
      const t = view.time(i);
      const type = view.annotationType(i);
      switch (kind) {
        case Kind.TaskBegin:
          stats(p.tasks, type).count++;
          p.openTasks[view.taskId(i)] = { type, start: t };
          break;
        case Kind.TaskEnd: {
          const id = view.taskId(i);
          const open = p.openTasks[id];
          if (open) {
            completed(p.tasks, open.type, t - open.start);
            delete p.openTasks[id];
          } else p.orphanTaskEnds.push({ id, type, end: t });
          break;
        }
        case Kind.RegionBegin:
          stats(p.regions, type).count++;
          (p.openRegions[view.goroutine(i)] ??= []).push({ type, start: t });
          break;
        case Kind.RegionEnd: {
          const g = view.goroutine(i);
          const stack = p.openRegions[g];
          const open = stack?.pop();
          if (open) {
            completed(p.regions, open.type, t - open.start);
            if (stack!.length === 0) delete p.openRegions[g];
          } else (p.orphanRegionEnds[g] ??= []).push({ type, end: t });
          break;
        }
        case Kind.Log:
          p.logs[type] = (p.logs[type] ?? 0) + 1;
          break;
        default:
          break;
      }
    }
  }

  partial(): AnnotationsPartial {
    return structuredClone(this.p);
  }
}

function mergeStats(into: Record<string, TypeStats>, from: Record<string, TypeStats>): void {
  for (const [type, s] of Object.entries(from)) {
    const t = stats(into, type);
    t.count += s.count;
    t.complete += s.complete;
    mergeHistogramInto(t.durations, s.durations);
  }
}

export const annotationsAnalysis: AnalysisDefinition<Record<string, never>, AnnotationsPartial, AnnotationsReport> = {
  name: 'annotations',
  create() {
    return new AnnotationsAnalyzer();
  },
  merge(a, b) {
    const out = structuredClone(a);
    mergeStats(out.tasks, b.tasks);
    mergeStats(out.regions, b.regions);
    for (const [c, n] of Object.entries(b.logs)) out.logs[c] = (out.logs[c] ?? 0) + n;
    for (const end of b.orphanTaskEnds) {
      const open = out.openTasks[end.id];
      if (open) {
        completed(out.tasks, open.type, end.end - open.start);
        delete out.openTasks[end.id];
      } else out.orphanTaskEnds.push(end);
    }
    Object.assign(out.openTasks, b.openTasks);
    for (const [g, ends] of Object.entries(b.orphanRegionEnds)) {
      for (const end of ends) {
        const stack = out.openRegions[g];
        const open = stack?.pop();
        if (open) {
          completed(out.regions, open.type, end.end - open.start);
          if (stack!.length === 0) delete out.openRegions[g];
        } else (out.orphanRegionEnds[g] ??= []).push(end);
      }
    }
    for (const [g, stack] of Object.entries(b.openRegions)) (out.openRegions[g] ??= []).push(...stack);
    return out;
  },
  finish(p) {
    // Ends without a begin still count as (incomplete) tasks and regions of their type.
    const tasks = structuredClone(p.tasks);
    for (const end of p.orphanTaskEnds) stats(tasks, end.type).count++;
    const regions = structuredClone(p.regions);
    for (const ends of Object.values(p.orphanRegionEnds)) for (const end of ends) stats(regions, end.type).count++;
    const list = (map: Record<string, TypeStats>) =>
      Object.entries(map)
        .map(([type, s]) => ({ type, total: s.count, complete: s.complete, ...summarize(s.durations) }))
        .sort((x, y) => y.total - x.total || x.type.localeCompare(y.type));
    return {
      tasks: list(tasks),
      regions: list(regions),
      logs: Object.entries(p.logs)
        .map(([category, count]) => ({ category, count }))
        .sort((x, y) => y.count - x.count),
    };
  },
};
