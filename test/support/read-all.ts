// Reads a whole trace through the public API and returns what a consumer would see: the printed
// events and the error that ended the stream, if any.
import { openTrace, type OpenTraceOptions, type TraceSource } from '../../src/trace.js';

export interface ReadOutcome {
  lines: string[];
  error: unknown;
}

export async function readAll(source: TraceSource, options: OpenTraceOptions = {}): Promise<ReadOutcome> {
  const lines: string[] = [];
  try {
    const trace = await openTrace(source, options);
    for await (const event of trace.events()) lines.push(event.toString());
  } catch (error) {
    return { lines, error };
  }
  return { lines, error: null };
}

/** Counts events through the columnar path only (no objects), for large inputs. */
export async function countEvents(source: TraceSource, options: OpenTraceOptions = {}): Promise<number> {
  let count = 0;
  const trace = await openTrace(source, options);
  for await (const batch of trace.batches()) count += batch.length;
  return count;
}
