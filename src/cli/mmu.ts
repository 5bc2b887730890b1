// `schedscope mmu <trace> [--json]`: minimum mutator utilisation curve, as go tool trace's /mmu page.
import type { Command } from 'commander';
import { defaultWindows, DEFAULT_UTIL_FLAGS, parseUtilFlags } from '../analysis/mmu.js';
import { analyzeWithProgress, formatNs, parseByteCount } from './analyze.js';
import { LineWriter } from './output.js';
import { windowOptions, type WindowFlags } from './window.js';

export function register(program: Command): void {
  windowOptions(
    program
      .command('mmu')
      .description('minimum mutator utilisation for window sizes from 100µs to 1s (Go\'s definition, as go tool trace /mmu, less two mistakes in who counts as a mark worker: see --go-compat)')
      .argument('<trace>', 'trace file, or - for standard input'),
  )
    .option('--json', 'print the report as JSON')
    .option('--flags <flags>', 'what counts against the mutator, |-separated: stw, background, assist, sweep, perProc', 'stw|background|assist')
    .option('--windows <ns>', 'comma-separated window sizes in ns (default: 101 log-spaced from 100µs to 1s, 25 per decade)')
    .option('--go-compat', 'reproduce go tool trace /mmu exactly (it counts a mark worker\'s labelled start twice, so Ps stay "in GC" once a worker ran on them twice, and takes ordinary goroutines the runtime labelled for workers)')
    .option('--no-progress', 'no progress bar on stderr')
    .option('--max-generation-bytes <n>', 'largest generation to buffer, in bytes', parseByteCount)
    .action(async (path: string, opts: WindowFlags & { json?: boolean; flags: string; windows?: string; goCompat?: boolean; progress: boolean; maxGenerationBytes?: number }) => {
      const flags = opts.flags ? parseUtilFlags(opts.flags) : DEFAULT_UTIL_FLAGS;
      const windows = opts.windows ? opts.windows.split(',').map((w) => Number(w)) : defaultWindows();
      const report = await analyzeWithProgress(
        path,
        {
          analyses: ['mmu'],
          mmu: { flags, windows, ...(opts.goCompat ? { goCompatible: true } : {}) },
          ...(opts.maxGenerationBytes !== undefined ? { maxGenerationBytes: opts.maxGenerationBytes } : {}),
        },
        opts.progress,
        opts,
      );
      const out = new LineWriter();
      const mmu = report.mmu!;
      if (opts.json) await out.write(`${JSON.stringify(mmu, null, 2)}\n`);
      else {
        await out.write(`window        MMU    (flags ${opts.flags}${opts.goCompat ? ', as go tool trace' : ''}; mean utilisation ${mmu.meanUtil.toFixed(3)})\n`);
        const step = opts.windows ? 1 : 5;
        for (let k = 0; k < mmu.curve.length; k += step) {
          const p = mmu.curve[k]!;
          await out.write(`${formatNs(p.windowNs).padEnd(12)}  ${p.mmu.toFixed(4)}\n`);
        }
      }
      await out.flush();
    });
}
