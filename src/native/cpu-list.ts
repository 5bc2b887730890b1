// The kernel's CPU/node list format ("0-3,8-11"), with the same rules as the C++ core
// (native/core/cpu_set.cpp), so the fallback and the addon accept and refuse the same text.
import { InvalidCpuListError } from './errors.js';

/** Largest CPU or node id accepted; far above Linux's NR_CPUS, low enough to stop "0-4294967295". */
export const MAX_ID = (1 << 20) - 1;

const SPACE = new Set([' ', '\n', '\t', '\r']);

/** Parses "0-3,8\n" into sorted unique ids; "" is the empty list. Throws InvalidCpuListError. */
export function parseCpuList(text: string): number[] {
  let begin = 0;
  let end = text.length;
  while (begin < end && SPACE.has(text[begin]!)) begin++;
  while (end > begin && SPACE.has(text[end - 1]!)) end--;
  const body = text.slice(begin, end);
  const ranges: Array<[number, number]> = [];
  if (body.length === 0) return [];
  let pos = 0;
  const fail = (reason: string, at: number): never => {
    throw new InvalidCpuListError(text, at, reason);
  };
  const readId = (): number => {
    const start = pos;
    let value = 0;
    while (pos < body.length && body[pos]! >= '0' && body[pos]! <= '9') {
      value = value * 10 + (body.charCodeAt(pos) - 48);
      if (value > MAX_ID) fail(`id above the supported maximum ${MAX_ID}`, begin + start);
      pos++;
    }
    if (pos === start) {
      if (pos >= body.length) fail('expected a number, found the end', begin + pos);
      fail(`expected a number, found '${body[pos]}'`, begin + pos);
    }
    return value;
  };
  for (;;) {
    const first = readId();
    let last = first;
    if (body[pos] === '-') {
      pos++;
      last = readId();
      if (last < first) fail(`range ${first}-${last} is reversed`, begin + pos);
    }
    ranges.push([first, last]);
    if (pos === body.length) break;
    if (body[pos] !== ',') fail(`unexpected '${body[pos]}'`, begin + pos);
    pos++;
  }
  // Merge overlapping ranges before expanding, so "0-1048575" costs one pass, not a set of a million.
  ranges.sort((a, b) => a[0] - b[0]);
  const ids: number[] = [];
  let next = 0;
  for (const [first, last] of ranges) {
    for (let id = Math.max(first, next); id <= last; id++) ids.push(id);
    next = Math.max(next, last + 1);
  }
  return ids;
}

/** Formats ids as the kernel does ("0-3,8"); "" for none. Input need not be sorted. */
export function formatCpuList(ids: Iterable<number>): string {
  const sorted = [...new Set(ids)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    parts.push(j > i ? `${sorted[i]}-${sorted[j]}` : `${sorted[i]}`);
    i = j + 1;
  }
  return parts.join(',');
}
