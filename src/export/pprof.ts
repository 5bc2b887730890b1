// Writes (stack → count, total ns) records as a pprof profile, laid out as `go tool trace -pprof`
// writes them (internal/trace/traceviewer/pprof.go BuildProfile): sample types contentions/count and
// delay/nanoseconds, period type trace/count, one location per PC, one function per (file, name).
import { gzipSync } from 'node:zlib';
import { Function as PprofFunction, Line, Location, Profile, Sample, StringTable, ValueType } from 'pprof-format';
import type { Frame } from '../analysis/events.js';

export interface StackRecord {
  /** Innermost frame first. */
  frames: readonly Frame[];
  count: number;
  ns: number;
}

export function buildProfile(records: readonly StackRecord[]): Profile {
  const strings = new StringTable();
  const functions: PprofFunction[] = [];
  const locations: Location[] = [];
  const locationByPc = new Map<number, Location>();
  const functionByKey = new Map<string, PprofFunction>();
  const samples: Sample[] = [];
  for (const rec of records) {
    const ids: number[] = [];
    for (const frame of rec.frames) {
      let loc = locationByPc.get(frame.pc);
      if (loc === undefined) {
        const key = `${frame.file}\u0000${frame.func}`;
        let fn = functionByKey.get(key);
        if (fn === undefined) {
          fn = new PprofFunction({
            id: functions.length + 1,
            name: strings.dedup(frame.func),
            systemName: strings.dedup(frame.func),
            filename: strings.dedup(frame.file),
          });
          functions.push(fn);
          functionByKey.set(key, fn);
        }
        loc = new Location({
          id: locations.length + 1,
          address: frame.pc,
          line: [new Line({ functionId: fn.id, line: frame.line })],
        });
        locations.push(loc);
        locationByPc.set(frame.pc, loc);
      }
      ids.push(Number(loc.id));
    }
    samples.push(new Sample({ locationId: ids, value: [rec.count, rec.ns] }));
  }
  return new Profile({
    sampleType: [
      new ValueType({ type: strings.dedup('contentions'), unit: strings.dedup('count') }),
      new ValueType({ type: strings.dedup('delay'), unit: strings.dedup('nanoseconds') }),
    ],
    periodType: new ValueType({ type: strings.dedup('trace'), unit: strings.dedup('count') }),
    period: 1,
    sample: samples,
    location: locations,
    function: functions,
    stringTable: strings,
  });
}

/** The gzipped protobuf bytes, as `go tool pprof` reads them. */
export function encodeProfile(records: readonly StackRecord[]): Uint8Array {
  return gzipSync(buildProfile(records).encode());
}
