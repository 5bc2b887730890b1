// Footprint: how many events and bytes each wire event type contributes, so users see what makes a
// trace big (e.g. regions in a hot loop, or GoBlock/GoUnblock storms). Uses the decoder's per-event
// encoded size; bytes outside events (batch headers, string and stack tables) are not attributed.
import type { AnalysisDefinition, AnalyzerInstance } from './analyzer.js';
import type { EventView } from './events.js';
import { footprintKernel } from './kernels/footprint.js';
import { kernelOrScript } from './kernels/kernel.js';

/** Go's v2 wire event type names (internal/trace/tracev2). */
const WIRE_NAMES: Record<number, string> = {
  9: 'ProcsChange', 10: 'ProcStart', 11: 'ProcStop', 12: 'ProcSteal', 13: 'ProcStatus',
  14: 'GoCreate', 15: 'GoCreateSyscall', 16: 'GoStart', 17: 'GoDestroy', 18: 'GoDestroySyscall',
  19: 'GoStop', 20: 'GoBlock', 21: 'GoUnblock', 22: 'GoSyscallBegin', 23: 'GoSyscallEnd',
  24: 'GoSyscallEndBlocked', 25: 'GoStatus', 26: 'STWBegin', 27: 'STWEnd', 28: 'GCActive',
  29: 'GCBegin', 30: 'GCEnd', 31: 'GCSweepActive', 32: 'GCSweepBegin', 33: 'GCSweepEnd',
  34: 'GCMarkAssistActive', 35: 'GCMarkAssistBegin', 36: 'GCMarkAssistEnd', 37: 'HeapAlloc',
  38: 'HeapGoal', 39: 'GoLabel', 40: 'UserTaskBegin', 41: 'UserTaskEnd', 42: 'UserRegionBegin',
  43: 'UserRegionEnd', 44: 'UserLog', 45: 'GoSwitch', 46: 'GoSwitchDestroy', 47: 'GoCreateBlocked',
  48: 'GoStatusStack', 7: 'CPUSample', 50: 'Sync', 128: 'Span', 129: 'SpanAlloc', 130: 'SpanFree',
  131: 'HeapObject', 132: 'HeapObjectAlloc', 133: 'HeapObjectFree', 134: 'GoroutineStack',
  135: 'GoroutineStackAlloc', 136: 'GoroutineStackFree',
};

export function wireTypeName(type: number): string {
  return WIRE_NAMES[type] ?? `type ${type}`;
}

export interface FootprintPartial {
  /** Wire type → [events, bytes]. */
  byType: Record<string, [number, number]>;
}

export interface FootprintReport {
  events: number;
  bytes: number;
  /** Largest byte share first. */
  byType: { wireType: number; name: string; events: number; bytes: number; byteFraction: number }[];
}

class FootprintAnalyzer implements AnalyzerInstance<FootprintPartial> {
  // Wire types are one byte.
  private readonly events = new Float64Array(256);
  private readonly bytes = new Float64Array(256);

  consume(view: EventView): void {
    const events = this.events;
    const bytes = this.bytes;
    for (let i = 0; i < view.length; i++) {
      const type = view.wireType(i) & 0xff;
      events[type]!++;
      bytes[type]! += view.encodedSize(i);
    }
  }

  partial(): FootprintPartial {
    const byType: Record<string, [number, number]> = {};
    for (let type = 0; type < 256; type++) if (this.events[type]! > 0) byType[type] = [this.events[type]!, this.bytes[type]!];
    return { byType };
  }
}

export const footprintAnalysis: AnalysisDefinition<Record<string, never>, FootprintPartial, FootprintReport> = {
  name: 'footprint',
  create(_options, context) {
    return kernelOrScript(context, footprintKernel, () => new FootprintAnalyzer());
  },
  merge(a, b) {
    const byType = structuredClone(a.byType);
    for (const [type, [n, bytes]] of Object.entries(b.byType)) {
      const prev = byType[type] ?? [0, 0];
      byType[type] = [prev[0] + n, prev[1] + bytes];
    }
    return { byType };
  },
  finish(p) {
    let events = 0;
    let bytes = 0;
    for (const [n, b] of Object.values(p.byType)) {
      events += n;
      bytes += b;
    }
    const byType = Object.entries(p.byType)
      .map(([type, [n, b]]) => ({
        wireType: Number(type),
        name: wireTypeName(Number(type)),
        events: n,
        bytes: b,
        byteFraction: bytes > 0 ? b / bytes : 0,
      }))
      .sort((x, y) => y.bytes - x.bytes || y.events - x.events);
    return { events, bytes, byType };
  },
};
