// EventBatch.event(i) fills only the columns every event reads; the int64 time and the u64 argument
// columns are filled when an event asks for them. The decoder chooses per batch between writing
// every column and writing compact rows, from what the previous batch read, so a reader that
// touched nothing but kinds leaves the next batch in rows: an object built there must still fill
// its arguments. This reads the user annotations (tasks, regions, logs: arguments on every one)
// and the other kinds with arguments that way, and compares them with the same events read from
// fully filled batches.
import { describe, expect, it } from 'vitest';
import { EventKind, type EventBatch } from '../../src/model/index.js';
import { openTrace } from '../../src/trace.js';
import { committedFixtures } from '../support/fixtures.js';

const WITH_ARGUMENTS = new Set<number>([
  EventKind.Sync,
  EventKind.Metric,
  EventKind.Label,
  EventKind.RangeBegin,
  EventKind.RangeActive,
  EventKind.RangeEnd,
  EventKind.TaskBegin,
  EventKind.TaskEnd,
  EventKind.RegionBegin,
  EventKind.RegionEnd,
  EventKind.Log,
  EventKind.Experimental,
]);

/** Strings of the events with arguments, by position in the trace. */
async function argumentEvents(path: string, read: (batch: EventBatch, i: number) => string | null): Promise<Map<number, string>> {
  const out = new Map<number, string>();
  let position = 0;
  for await (const batch of (await openTrace(path, { eventsPerBatch: 64 })).batches()) {
    for (let i = 0; i < batch.length; i++) {
      const text = read(batch, i);
      if (text !== null) out.set(position + i, text);
    }
    position += batch.length;
  }
  return out;
}

const fixtures = committedFixtures().filter((f) => ['flight-recorder', 'generations', 'http-server', 'allocfree'].includes(f.name));

describe('objects built in batches that read only their kinds', () => {
  it('covers the fixtures with annotations and experimental events', () => {
    expect(fixtures.map((f) => f.name).sort()).toEqual(['allocfree', 'flight-recorder', 'generations', 'http-server']);
  });

  it.each(fixtures.map((f) => [f.name, f.tracePath] as const))('%s: the same events as from filled batches', async (_name, path) => {
    const filled = await argumentEvents(path, (batch, i) => {
      // Every column read first, as a columnar reader does.
      if (i === 0) void [batch.time, batch.args, batch.timeNs, batch.goroutine, batch.stack, batch.size];
      return WITH_ARGUMENTS.has(batch.kind[i]!) ? batch.event(i).toString() : null;
    });
    expect(filled.size).toBeGreaterThan(20);
    // One kind per pass: an object of another kind built earlier in the batch would fill the
    // arguments for it.
    const sparse = new Map<number, string>();
    for (const kind of WITH_ARGUMENTS) {
      const ofKind = await argumentEvents(path, (batch, i) => (batch.kind[i] === kind ? batch.event(i).toString() : null));
      for (const [position, text] of ofKind) sparse.set(position, text);
    }
    expect([...sparse].sort(([a], [b]) => a - b)).toEqual([...filled]);
  });
});
