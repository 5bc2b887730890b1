// The MMU traces and option sets the MMU tests share (resume, kernel and replay tests): traces with
// GC activity, and options covering each flag, small windows (many window positions cross a cut),
// windows the evaluators skip, and Go's compatibility mode.
import { parseUtilFlags, type MmuOptions } from '../../../src/analysis/mmu.js';

export const MMU_TRACES = ['test/fixtures/traces/gc-active.trace', 'test/analysis/data/gcheavy.trace', 'test/analysis/data/mixed.trace'];

// Small windows make many window positions cross a cut; 1 s covers whole parts.
export const MMU_WINDOWS = [1, 2_000, 10_000, 100_000, 1_000_000, 10_000_000, 1_000_000_000];

export const MMU_OPTIONS: Record<string, MmuOptions> = {
  default: {},
  smallWindows: { windows: MMU_WINDOWS },
  perProc: { flags: parseUtilFlags('stw|background|assist|sweep|perProc'), windows: MMU_WINDOWS },
  sweep: { flags: parseUtilFlags('stw|background|assist|sweep'), windows: MMU_WINDOWS },
  noBackground: { flags: parseUtilFlags('stw|assist'), windows: MMU_WINDOWS },
  goCompatible: { windows: MMU_WINDOWS, goCompatible: true },
  // Windows the evaluators skip (not positive) beside ones they use.
  oddWindows: { windows: [0, -5, 3, 250_000, 1e12] },
};

/** Every trace with every option set, as [trace, option name] for it.each. */
export const MMU_CASES = MMU_TRACES.flatMap((trace) => Object.keys(MMU_OPTIONS).map((option) => [trace, option] as const));
