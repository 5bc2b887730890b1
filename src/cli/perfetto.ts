// `schedscope perfetto <trace> -o out.json[.gz]`: the trace as Chrome trace-event JSON, for
// ui.perfetto.dev or chrome://tracing (a .gz name is gzipped, which both open).
import type { Command } from 'commander';
import { createWriteStream, statSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { finished } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { PassThrough } from 'node:stream';
import { cutTrace, type CutSelection } from '../export/cut.js';
import { exportPerfetto, type PerfettoSummary } from '../export/perfetto.js';
import type { TraceSource } from '../trace.js';
import { parseByteCount } from './analyze.js';
import { parseDuration, parseGenerationRange } from './cut.js';
import { createProgress } from './output.js';

export function register(program: Command): void {
  program
    .command('perfetto')
    .description('write the trace as Chrome trace-event JSON for ui.perfetto.dev: goroutines on each P, GC and stop-the-world ranges, user tasks, regions and logs, heap and goroutine counters')
    .argument('<trace>', 'trace file, or - for standard input')
    .requiredOption('-o, --output <file>', 'where to write the JSON (gzipped if the name ends in .gz; - for standard output)')
    .option('--generations <range>', 'only these generations, counted from 1 (e.g. 3..7), as schedscope cut selects them', parseGenerationRange)
    .option('--from <time>', 'only generations that end after this time since the trace began (e.g. 2s)', parseDuration)
    .option('--to <time>', 'only generations that begin before this time since the trace began (e.g. 3.5s)', parseDuration)
    .option('--counter-interval <time>', 'least time between two samples of the goroutine counts (e.g. 100us, the default; 0 for every change)', parseDuration)
    .option('--no-progress', 'no progress bar on stderr')
    .option('--max-generation-bytes <n>', 'largest generation to buffer, in bytes', parseByteCount)
    .action(async (path: string, opts: { output: string; generations?: { first: number; last: number }; from?: number; to?: number; counterInterval?: number; progress: boolean; maxGenerationBytes?: number }) => {
      const selection: CutSelection = {
        ...(opts.generations !== undefined ? { generations: opts.generations } : {}),
        ...(opts.from !== undefined ? { fromNs: opts.from } : {}),
        ...(opts.to !== undefined ? { toNs: opts.to } : {}),
      };
      const selecting = Object.keys(selection).length > 0;
      if (selecting && path === '-') throw new Error('--generations, --from and --to need a file, not standard input');
      // A cut's size is known only once it is under way: no bar then (the cut itself is quick).
      const progress = createProgress(path === '-' || selecting ? undefined : statSync(path).size, opts.progress);
      const toStdout = opts.output === '-';
      const file = toStdout ? null : createWriteStream(opts.output);
      // The fastest level: the JSON of a large trace is gigabytes, and level 1 keeps gzip from being most of the time.
      const gzip = opts.output.endsWith('.gz') ? createGzip({ level: 1 }) : null;
      if (gzip !== null) gzip.pipe(file!);
      const out = gzip ?? file ?? process.stdout;
      try {
        // A window is cut on the fly: the cut's bytes stream straight into the export (no file between).
        let source: TraceSource = path === '-' ? process.stdin : path;
        let cutting: Promise<unknown> = Promise.resolve();
        let pipe: PassThrough | null = null;
        if (selecting) {
          const cutPipe = (pipe = new PassThrough());
          source = cutPipe;
          cutting = cutTrace(path, cutPipe, selection).then(
            () => cutPipe.end(),
            (error: unknown) => {
              cutPipe.destroy(error as Error);
              throw error;
            },
          );
        }
        const exporting: Promise<PerfettoSummary> = exportPerfetto(source, out, {
          ...(opts.counterInterval !== undefined ? { counterIntervalNs: opts.counterInterval } : {}),
          ...(opts.maxGenerationBytes !== undefined ? { maxGenerationBytes: opts.maxGenerationBytes } : {}),
          onProgress: (bytes) => progress.update(bytes),
        }).catch((error: unknown) => {
          // Stop the cut feeding a reader that has gone.
          pipe?.destroy();
          throw error;
        });
        // The cut's own error (a selection naming no generation) first: the export's follows from it.
        const [cut, exported] = await Promise.allSettled([cutting, exporting]);
        if (cut.status === 'rejected') throw cut.reason;
        if (exported.status === 'rejected') throw exported.reason;
        const summary = exported.value;
        progress.stop();
        if (file !== null) {
          out.end();
          await finished(file);
        }
        process.stderr.write(
          `${summary.events.toLocaleString('en-US')} events → ${summary.goroutineSlices.toLocaleString('en-US')} goroutine slices, ${summary.ranges} runtime ranges, ${summary.tasks} tasks, ${summary.regions} regions, ${summary.logs} logs, ${summary.counterSamples} counter samples (${summary.bytes.toLocaleString('en-US')} bytes of JSON) → ${toStdout ? 'standard output' : opts.output}\n`,
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
