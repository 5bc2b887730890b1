// `schedscope dump <trace>`: every event exactly as Go's reader prints it (`go tool trace -d=parsed`).
import type { Command } from 'commander';
import { openTrace } from '../trace.js';
import { LineWriter } from './output.js';
import { readWindow, selectionOf, windowOptions, type WindowFlags } from './window.js';

export function register(program: Command): void {
  windowOptions(
    program
      .command('dump')
      .description("print every event as Go's Event.String() does (same text as `go tool trace -d=parsed`)")
      .argument('<trace>', 'trace file, or - for standard input'),
  )
    .option('--max-generation-bytes <n>', 'largest generation to buffer, in bytes', parseByteCount)
    .action(async (path: string, opts: WindowFlags & { maxGenerationBytes?: number }) => {
      const out = new LineWriter();
      await readWindow(path, selectionOf(opts), async (source) => {
        const trace = await openTrace(source, { maxGenerationBytes: opts.maxGenerationBytes });
        try {
          for await (const event of trace.events()) {
            await out.write(`${event.toString()}\n`);
            if (out.closed) break;
          }
        } finally {
          await out.flush();
          await trace.close();
        }
      });
    });
}

export function parseByteCount(text: string): number {
  const match = /^(\d+)\s*([kmg]i?b?)?$/i.exec(text.trim());
  if (!match) throw new Error(`not a byte count: ${text}`);
  const unit = (match[2] ?? '').toLowerCase()[0];
  const scale = unit === 'k' ? 1024 : unit === 'm' ? 1024 ** 2 : unit === 'g' ? 1024 ** 3 : 1;
  return Number(match[1]) * scale;
}
