// The analyzers keep aggregates, never events: feeding them ~6 million events (a real trace's
// events replayed 100 times, shifted in time) leaves their memory where it was after the first
// few passes. (end-to-end.test.ts checks the same through the decoder on a streamed trace.)
import { describe, expect, it } from 'vitest';
import { analyzeViews } from '../../src/analysis/analyze.js';
import type { EventView } from '../../src/analysis/events.js';
import { requireGo } from '../support/go.js';
import { goGenerations } from './support/fixtures.js';
import { toTypedView } from './support/typed-view.js';

function shifted(view: EventView, offset: number): EventView {
  return { ...view, time: (i) => view.time(i) + offset };
}

describe('bounded analyzer memory', () => {
  it('heap stays flat over 100 replays of a real trace', async () => {
    if (!requireGo()) return;
    const generations = goGenerations('gcheavy');
    const views = generations.flat().map(toTypedView);
    const first = views[0]!.time(0);
    const lastView = views[views.length - 1]!;
    const span = lastView.time(lastView.length - 1) - first + 1000;
    const samples: number[] = [];
    let events = 0;
    function* stream(): Generator<EventView> {
      for (let rep = 0; rep < 100; rep++) {
        for (let v = 0; v < views.length; v++) {
          const view = views[v]!;
          events += view.length;
          yield shifted(view, rep * span);
        }
        if (rep % 5 === 4) samples.push(process.memoryUsage().heapUsed);
      }
    }
    const report = await analyzeViews(stream());
    expect(events).toBeGreaterThan(5_000_000);
    expect(report.trace.events).toBe(events);
    expect(report.metrics!.points.length).toBeLessThanOrEqual(512);
    expect(report.procs!.windows.length).toBeLessThanOrEqual(256);
    const early = Math.max(...samples.slice(1, 5));
    const late = Math.max(...samples.slice(-5));
    console.log(`analyzer heap: early ${(early / 2 ** 20).toFixed(1)} MiB, late ${(late / 2 ** 20).toFixed(1)} MiB`);
    expect(late).toBeLessThan(early + 32 * 1024 * 1024);
  });
});
