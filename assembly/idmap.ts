// An open-addressing hash table from int64 ids to objects: one probe sequence per lookup (the
// standard Map needs has() then get()), backward-shift deletion, no tombstones.

export class IdMap<V> {
  private keys: StaticArray<i64> = new StaticArray<i64>(64);
  private values: StaticArray<V | null> = new StaticArray<V | null>(64);
  private used: StaticArray<bool> = new StaticArray<bool>(64);
  private mask: i32 = 63;
  size: i32 = 0;

  @inline private slot(key: i64): i32 {
    // Fibonacci hashing spreads sequential goroutine ids.
    return <i32>((<u64>key * 0x9e3779b97f4a7c15) >> 40) & this.mask;
  }

  get(key: i64): V | null {
    let i = this.slot(key);
    while (unchecked(this.used[i])) {
      if (unchecked(this.keys[i]) == key) return unchecked(this.values[i]);
      i = (i + 1) & this.mask;
    }
    return null;
  }

  set(key: i64, value: V): void {
    if ((this.size + 1) * 4 > (this.mask + 1) * 3) this.grow();
    let i = this.slot(key);
    for (;;) {
      if (!unchecked(this.used[i])) {
        unchecked((this.used[i] = true));
        unchecked((this.keys[i] = key));
        unchecked((this.values[i] = value));
        this.size++;
        return;
      }
      if (unchecked(this.keys[i]) == key) {
        unchecked((this.values[i] = value));
        return;
      }
      i = (i + 1) & this.mask;
    }
  }

  delete(key: i64): void {
    let i = this.slot(key);
    for (;;) {
      if (!unchecked(this.used[i])) return;
      if (unchecked(this.keys[i]) == key) break;
      i = (i + 1) & this.mask;
    }
    // Shift later members of the cluster back so lookups never stop early.
    let hole = i;
    let j = i;
    for (;;) {
      j = (j + 1) & this.mask;
      if (!unchecked(this.used[j])) break;
      const home = this.slot(unchecked(this.keys[j]));
      const between = hole <= j ? hole < home && home <= j : hole < home || home <= j;
      if (!between) {
        unchecked((this.keys[hole] = this.keys[j]));
        unchecked((this.values[hole] = this.values[j]));
        hole = j;
      }
    }
    unchecked((this.used[hole] = false));
    unchecked((this.values[hole] = null));
    this.size--;
  }

  private grow(): void {
    const oldKeys = this.keys;
    const oldValues = this.values;
    const oldUsed = this.used;
    const capacity = (this.mask + 1) * 2;
    this.keys = new StaticArray<i64>(capacity);
    this.values = new StaticArray<V | null>(capacity);
    this.used = new StaticArray<bool>(capacity);
    this.mask = capacity - 1;
    this.size = 0;
    for (let i = 0; i < oldUsed.length; i++) {
      if (unchecked(oldUsed[i])) this.set(unchecked(oldKeys[i]), changetype<V>(unchecked(oldValues[i])));
    }
  }

  /** Calls fn for every entry (order unspecified). */
  forEachKey(out: Array<i64>): void {
    for (let i = 0; i < this.used.length; i++) if (unchecked(this.used[i])) out.push(unchecked(this.keys[i]));
  }
}
