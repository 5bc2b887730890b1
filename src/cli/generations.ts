// `schedscope generations <trace> [--json]`: the trace's generations (when each begins, how long it
// lasts, its bytes and batches) from batch headers alone, without decoding an event: a map of a
// huge trace in a second, to choose what to `cut` or to pass to --from/--to/--generations.
import type { Command } from 'commander';
import { indexGenerations } from '../parallel/generation-index.js';
import { summarizeTraceError, type TraceErrorSummary } from '../errors.js';
import { generationSpans } from '../export/cut.js';
import { LineWriter } from './output.js';

export interface GenerationRow {
  /** Counted from 1 in file order, as --generations counts them. */
  generation: number;
  /** The number written in the file. */
  wireGeneration: number;
  /** ns since the trace began (the origin of --from/--to), and the generation's length. */
  startNs: number;
  durationNs: number;
  offset: number;
  bytes: number;
  batches: number;
}

export interface GenerationsListing {
  file: string;
  formatVersion: string;
  bytes: number;
  generations: GenerationRow[];
  /** Where the trace breaks, if it does: the generations listed are the complete ones before it. */
  error: TraceErrorSummary | null;
}

export async function listGenerations(path: string): Promise<GenerationsListing> {
  const index = await indexGenerations(path, { keepGoodPrefix: true });
  const spans = generationSpans(index.generations);
  return {
    file: path,
    formatVersion: `1.${index.formatVersion}`,
    bytes: index.fileSize,
    generations: index.generations.map((extent, k) => ({
      generation: k + 1,
      wireGeneration: Number(extent.gen),
      startNs: spans[k]!.startNs,
      durationNs: spans[k]!.endNs - spans[k]!.startNs,
      offset: extent.offset,
      bytes: extent.byteLength,
      batches: extent.batchCount,
    })),
    error: index.brokenAt === undefined ? null : summarizeTraceError(index.brokenAt),
  };
}

function listingText(listing: GenerationsListing): string {
  const seconds = (ns: number) => `${(ns / 1e9).toFixed(3)}s`;
  const lines = [`${listing.file}: go ${listing.formatVersion} trace, ${listing.bytes.toLocaleString('en-US')} bytes, ${listing.generations.length} generations`, ''];
  lines.push(`${'gen'.padStart(6)} ${'start'.padStart(10)} ${'length'.padStart(9)} ${'bytes'.padStart(14)} ${'batches'.padStart(8)}`);
  for (const row of listing.generations) {
    lines.push(`${String(row.generation).padStart(6)} ${seconds(row.startNs).padStart(10)} ${seconds(row.durationNs).padStart(9)} ${row.bytes.toLocaleString('en-US').padStart(14)} ${String(row.batches).padStart(8)}`);
  }
  if (listing.error !== null) lines.push('', `the trace breaks after these: ${listing.error.name} at byte ${listing.error.offset}: ${listing.error.reason}`);
  return `${lines.join('\n')}\n`;
}

export function register(program: Command): void {
  program
    .command('generations')
    .description('list the generations of a trace (start, length, bytes) from batch headers alone, without decoding: what to cut or pass to --from/--to/--generations')
    .argument('<trace>', 'trace file')
    .option('--json', 'print the listing as JSON')
    .action(async (path: string, opts: { json?: boolean }) => {
      if (path === '-') throw new Error('generations needs a file, not standard input: it skips from batch header to batch header');
      const listing = await listGenerations(path);
      const out = new LineWriter();
      await out.write(opts.json ? `${JSON.stringify(listing, null, 2)}\n` : listingText(listing));
      await out.flush();
      if (listing.error !== null) process.exitCode = 1;
    });
}
