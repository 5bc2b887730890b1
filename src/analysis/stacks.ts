// Stacks interned by content across generations. The trace's stack ids are per generation, so
// analyzers translate them to indices in this table (keyed by the PC sequence) before keeping them.
import type { EventView, Frame } from './events.js';
import { NO_STACK } from './events.js';

/** Index of "no stack" in every StackTable. */
export const EMPTY_STACK = 0;

export class StackTable {
  /** Frames of each interned stack, innermost first; index 0 is the empty stack. */
  readonly stacks: Frame[][] = [[]];
  private readonly byKey = new Map<string, number>([['', EMPTY_STACK]]);
  private generationCache = new Map<number, number>();

  /** Forget the per-generation id cache (call at every Sync). */
  newGeneration(): void {
    this.generationCache = new Map();
  }

  /** Interns the generation-local stack id of `view`. */
  fromView(view: EventView, stackId: number): number {
    if (stackId === NO_STACK) return EMPTY_STACK;
    const cached = this.generationCache.get(stackId);
    if (cached !== undefined) return cached;
    const index = this.intern(view.frames(stackId));
    this.generationCache.set(stackId, index);
    return index;
  }

  intern(frames: readonly Frame[]): number {
    if (frames.length === 0) return EMPTY_STACK;
    const key = frames.map((f) => f.pc).join(',');
    let index = this.byKey.get(key);
    if (index === undefined) {
      index = this.stacks.length;
      this.stacks.push(frames.map((f) => ({ pc: f.pc, func: f.func, file: f.file, line: f.line })));
      this.byKey.set(key, index);
    }
    return index;
  }

  frames(index: number): readonly Frame[] {
    return this.stacks[index] ?? [];
  }

  /** Copies `other`'s stacks into this table; returns the index translation. */
  absorb(other: readonly Frame[][]): Int32Array {
    const map = new Int32Array(other.length);
    for (let i = 0; i < other.length; i++) map[i] = this.intern(other[i]!);
    return map;
  }

  static fromJSON(stacks: readonly Frame[][]): StackTable {
    const table = new StackTable();
    for (let i = 1; i < stacks.length; i++) table.intern(stacks[i]!);
    return table;
  }
}

/** The outermost frame's function: how Go names a goroutine from a stack. */
export function rootFunction(frames: readonly Frame[]): Frame | undefined {
  return frames.length === 0 ? undefined : frames[frames.length - 1];
}
