// `schedscope perfetto <trace> -o out.json[.gz]`: the trace as Chrome trace-event JSON, for
// ui.perfetto.dev or chrome://tracing (a .gz name is gzipped, which both open).
import type { Command } from 'commander';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { finished } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { exportPerfetto } from '../export/perfetto.js';
import { parseByteCount } from './analyze.js';
import { createProgress } from './output.js';
import { parseDuration, progressTotal, readWindow, selectionOf, windowOptions, type WindowFlags } from './window.js';

export function register(program: Command): void {
  windowOptions(
    program
      .command('perfetto')
      .description('write the trace as Chrome trace-event JSON for ui.perfetto.dev: goroutines on each P, syscalls on each thread, GC and stop-the-world ranges, user tasks, regions and logs, heap and goroutine counters')
      .argument('<trace>', 'trace file, or - for standard input')
      .requiredOption('-o, --output <file>', 'where to write the JSON (gzipped if the name ends in .gz; - for standard output)'),
  )
    .option('--counter-interval <time>', 'least time between two samples of the goroutine counts (e.g. 100us, the default; 0 for every change)', parseDuration)
    .option('--no-progress', 'no progress bar on stderr')
    .option('--max-generation-bytes <n>', 'largest generation to buffer, in bytes', parseByteCount)
    .action(async (path: string, opts: WindowFlags & { output: string; counterInterval?: number; progress: boolean; maxGenerationBytes?: number }) => {
      const selection = selectionOf(opts);
      const progress = createProgress(progressTotal(path, selection), opts.progress);
      const toStdout = opts.output === '-';
      // Room for a few of the export's 64 KiB writes: at the default 16 KiB every write waited for a drain.
      const file = toStdout ? null : createWriteStream(opts.output, { highWaterMark: 1 << 20 });
      // The fastest level: the JSON of a large trace is gigabytes, and level 1 keeps gzip from being most of the time.
      const gzip = opts.output.endsWith('.gz') ? createGzip({ level: 1 }) : null;
      if (gzip !== null) gzip.pipe(file!);
      const out = gzip ?? file ?? process.stdout;
      try {
        const summary = await readWindow(path, selection, (source) =>
          exportPerfetto(source, out, {
            ...(opts.counterInterval !== undefined ? { counterIntervalNs: opts.counterInterval } : {}),
            ...(opts.maxGenerationBytes !== undefined ? { maxGenerationBytes: opts.maxGenerationBytes } : {}),
            onProgress: (bytes) => progress.update(bytes),
          }),
        );
        progress.stop();
        if (file !== null) {
          out.end();
          await finished(file);
        }
        process.stderr.write(
          `${summary.events.toLocaleString('en-US')} events → ${summary.goroutineSlices.toLocaleString('en-US')} goroutine slices, ${summary.syscallSlices.toLocaleString('en-US')} syscalls, ${summary.ranges} runtime ranges, ${summary.tasks} tasks, ${summary.regions} regions, ${summary.logs} logs, ${summary.counterSamples} counter samples (${summary.bytes.toLocaleString('en-US')} bytes of JSON) → ${toStdout ? 'standard output' : opts.output}\n`,
        );
      } catch (error) {
        // No half-written JSON left behind under the name asked for.
        if (file !== null) {
          file.destroy();
          await rm(opts.output, { force: true });
        }
        throw error;
      } finally {
        progress.stop();
      }
    });
}
