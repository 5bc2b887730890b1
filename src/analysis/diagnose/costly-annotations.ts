// Seed 000 §6: a trace region per item in a hot loop; each region costs two events for almost no
// work inside it.
import { count, ns, pct } from './format.js';
import { severityFor, type DiagnoseRule } from './types.js';

const ANNOTATION_WIRE_TYPES = new Set(['UserRegionBegin', 'UserRegionEnd', 'UserLog', 'UserTaskBegin', 'UserTaskEnd']);

export const costlyAnnotationsRule: DiagnoseRule = {
  id: 'costly-annotations',
  needs: ['annotations', 'footprint'],
  evaluate(report, t) {
    const regions = report.annotations?.regions;
    if (!regions) return undefined;
    const hot = regions
      .filter((r) => r.total >= t.regionMinCount && r.complete > 0 && r.p50Ns <= t.regionMedianNs)
      .sort((a, b) => b.total - a.total);
    const worst = hot[0];
    if (!worst) return undefined;
    const fp = report.footprint;
    const annotationBytes = fp ? fp.byType.filter((b) => ANNOTATION_WIRE_TYPES.has(b.name)).reduce((s, b) => s + b.bytes, 0) : 0;
    const annotationEvents = fp ? fp.byType.filter((b) => ANNOTATION_WIRE_TYPES.has(b.name)).reduce((s, b) => s + b.events, 0) : 0;
    const eventShare = fp && fp.events > 0 ? annotationEvents / fp.events : 0;
    const seconds = report.trace.durationNs / 1e9;
    const ratio = worst.total / t.regionMinCount;
    return {
      id: this.id,
      title: 'Costly annotations: a trace region around tiny units of work',
      severity: severityFor(ratio),
      score: ratio,
      evidence: {
        summary:
          `${count(worst.total)} regions of type "${worst.type}" (median ${ns(worst.p50Ns)} each` +
          (seconds > 0 ? `, ${count(worst.total / seconds)}/s` : '') +
          `); annotations are ${pct(eventShare)} of trace events`,
        measurements: [
          { name: 'regions', value: worst.total, unit: 'regions', threshold: t.regionMinCount },
          { name: 'regionMedian', value: worst.p50Ns, unit: 'ns', threshold: t.regionMedianNs },
          { name: 'annotationEventShare', value: eventShare, unit: 'fraction of events' },
          { name: 'annotationBytes', value: annotationBytes, unit: 'bytes' },
        ],
      },
      groups: [],
      stacks: hot.slice(0, 3).map((r) => ({ label: `region "${r.type}": ${count(r.total)} × median ${ns(r.p50Ns)}`, frames: [] })),
      remedy:
        'Annotate the batch, not the item: one region around the loop, and if per-item detail matters, a region for a sample of items (say 1 in 100).',
      seed: { file: '000_cd228b6a123a80f5.txt', section: 'Optimization 6: Cheaper Annotations' },
    };
  },
};
