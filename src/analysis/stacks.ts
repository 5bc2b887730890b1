// Stacks interned by content across generations. The trace's stack ids are per generation, so
// analyzers translate them to indices in this table (keyed by the PC sequence) before keeping them.
import type { EventView, Frame } from './events.js';
import { NO_STACK } from './events.js';

/** Index of "no stack" in every StackTable. */
export const EMPTY_STACK = 0;

/** Generation-local stack ids from here on are cached in a Map rather than an array. */
const LARGE_STACK_ID = 1 << 22;

export class StackTable {
  /** Frames of each interned stack, innermost first; index 0 is the empty stack. */
  readonly stacks: Frame[][] = [[]];
  private readonly byKey = new Map<string, number>([['', EMPTY_STACK]]);
  /**
   * Generation-local stack id → index, for this generation. The ids are small dense integers (the
   * generation's stack table), and this lookup runs for every blocking and syscall event: an
   * array indexed by id (-1: not interned yet) costs less than a Map. Larger ids use the Map.
   */
  private generationCache = new Int32Array(1024).fill(-1);
  private generationCacheUsed = 0;
  private largeIdCache = new Map<number, number>();

  /** Forget the per-generation id cache (call at every Sync). */
  newGeneration(): void {
    this.generationCache.fill(-1, 0, this.generationCacheUsed);
    this.generationCacheUsed = 0;
    this.largeIdCache = new Map();
  }

  /** Interns the generation-local stack id of `view`. */
  fromView(view: EventView, stackId: number): number {
    if (stackId === NO_STACK) return EMPTY_STACK;
    if (stackId >= LARGE_STACK_ID || Math.floor(stackId) !== stackId) return this.fromViewLarge(view, stackId);
    let cache = this.generationCache;
    if (stackId < cache.length) {
      const cached = cache[stackId]!;
      if (cached >= 0) return cached;
    } else {
      let length = cache.length;
      while (length <= stackId) length *= 2;
      const grown = new Int32Array(length).fill(-1);
      grown.set(cache);
      this.generationCache = cache = grown;
    }
    const index = this.intern(view.frames(stackId));
    cache[stackId] = index;
    if (stackId >= this.generationCacheUsed) this.generationCacheUsed = stackId + 1;
    return index;
  }

  private fromViewLarge(view: EventView, stackId: number): number {
    const cached = this.largeIdCache.get(stackId);
    if (cached !== undefined) return cached;
    const index = this.intern(view.frames(stackId));
    this.largeIdCache.set(stackId, index);
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
