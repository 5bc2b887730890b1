// Buffered stdout for commands that print millions of lines, and a progress bar that only shows
// on an interactive stderr.
import { SingleBar, Presets } from 'cli-progress';

/** Collects output into large writes and respects backpressure; stops quietly on EPIPE (`| head`). */
export class LineWriter {
  private pending: string[] = [];
  private pendingBytes = 0;
  private broken = false;

  constructor(
    private readonly stream: NodeJS.WritableStream = process.stdout,
    private readonly flushAt = 1 << 16,
  ) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE') this.broken = true;
      else throw error;
    });
  }

  /** True once the reader of our output has gone away. */
  get closed(): boolean {
    return this.broken;
  }

  async write(text: string): Promise<void> {
    this.pending.push(text);
    this.pendingBytes += text.length;
    if (this.pendingBytes >= this.flushAt) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.pending.length === 0 || this.broken) return;
    const chunk = this.pending.join('');
    this.pending = [];
    this.pendingBytes = 0;
    if (!this.stream.write(chunk)) {
      await new Promise<void>((resolve) => {
        const done = () => {
          this.stream.off('drain', done);
          this.stream.off('error', done);
          resolve();
        };
        this.stream.once('drain', done);
        this.stream.once('error', done);
      });
    }
  }
}

export interface ProgressReporter {
  update(bytesRead: number): void;
  stop(): void;
}

/** A byte-progress bar on stderr when it is a terminal and the size is known; otherwise silent. */
export function createProgress(totalBytes: number | undefined, enabled: boolean): ProgressReporter {
  if (!enabled || totalBytes === undefined || !process.stderr.isTTY) return { update() {}, stop() {} };
  const bar = new SingleBar(
    { stream: process.stderr, format: ' {bar} {percentage}% | {value}/{total} MB | ETA {eta}s', hideCursor: true },
    Presets.shades_classic,
  );
  const mb = (bytes: number) => Math.round(bytes / 1e5) / 10;
  bar.start(mb(totalBytes), 0);
  return {
    update: (bytesRead) => bar.update(mb(bytesRead)),
    stop: () => bar.stop(),
  };
}
