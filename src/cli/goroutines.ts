// `schedscope goroutines <trace> [--json]`: goroutine groups as go tool trace's /goroutines page,
// with the full time breakdown.
import type { Command } from 'commander';
import { analyzeWithProgress, formatNs, parseByteCount } from './analyze.js';
import { LineWriter } from './output.js';
import { windowOptions, type WindowFlags } from './window.js';

export function register(program: Command): void {
  windowOptions(
    program
      .command('goroutines')
      .description('goroutines grouped by start function: count, execution, scheduler wait, blocking by reason, syscalls, GC ranges')
      .argument('<trace>', 'trace file, or - for standard input'),
  )
    .option('--json', 'print the report as JSON')
    .option('--top <n>', 'individual goroutines to list', (v) => Number(v), 20)
    .option('--no-progress', 'no progress bar on stderr')
    .option('--max-generation-bytes <n>', 'largest generation to buffer, in bytes', parseByteCount)
    .action(async (path: string, opts: WindowFlags & { json?: boolean; top: number; progress: boolean; maxGenerationBytes?: number }) => {
      const report = await analyzeWithProgress(
        path,
        {
          analyses: ['goroutines'],
          goroutines: { top: opts.top },
          ...(opts.maxGenerationBytes !== undefined ? { maxGenerationBytes: opts.maxGenerationBytes } : {}),
        },
        opts.progress,
        opts,
      );
      const g = report.goroutines!;
      const out = new LineWriter();
      if (opts.json) await out.write(`${JSON.stringify(g, null, 2)}\n`);
      else {
        await out.write(`${g.goroutines} goroutines, total execution ${formatNs(g.totalExecNs)}\n\n`);
        await out.write(`${'count'.padStart(6)} ${'exec'.padStart(11)} ${'sched wait'.padStart(11)} ${'blocked'.padStart(11)} ${'syscall'.padStart(11)} ${'GC assist'.padStart(11)}  start function\n`);
        for (const x of g.groups) {
          await out.write(
            `${String(x.count).padStart(6)} ${formatNs(x.execNs).padStart(11)} ${formatNs(x.schedWaitNs).padStart(11)} ${formatNs(x.blockNs).padStart(11)} ${formatNs(x.syscallNs + x.syscallBlockNs).padStart(11)} ${formatNs(x.rangeNs['GC mark assist'] ?? 0).padStart(11)}  ${x.name || '(inactive, no stack seen)'}\n`,
          );
        }
      }
      await out.flush();
    });
}
