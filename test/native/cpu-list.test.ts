// The kernel's CPU list format, parsed by the TypeScript reader and by the C++ core through the addon:
// both must accept the same text with the same result and refuse the same text at the same place.
import { describe, expect, it } from 'vitest';
import { formatCpuList, InvalidCpuListError, MAX_ID, native, nativeParseCpuList, parseCpuList } from '../../src/native/index.js';
import { addonRequired } from './support/native-module.js';

const valid: Array<[string, number[]]> = [
  ['', []],
  ['\n', []],
  ['0', [0]],
  ['0-3\n', [0, 1, 2, 3]],
  ['0-3,8-11', [0, 1, 2, 3, 8, 9, 10, 11]],
  [' 7-7 \n', [7]],
  ['3,1,2', [1, 2, 3]],
  ['1-2,2-3', [1, 2, 3]],
  ['63-65', [63, 64, 65]],
  [`${MAX_ID}`, [MAX_ID]],
];

const hostile: Array<[string, number]> = [
  [',', 0],
  ['1,', 2],
  [',1', 0],
  ['1,,2', 2],
  ['3-1', 3],
  ['-1', 0],
  ['1-', 2],
  ['a', 0],
  ['0x1', 1],
  ['1 2', 1],
  ['1-2-3', 3],
  ['+1', 0],
  ['0-7:2', 3],
  ['1.5', 1],
  ['1\n2', 1],
  ['99999999999999999999', 0],
  [`${MAX_ID + 1}`, 0],
  [`0-${MAX_ID + 1}`, 2],
  ['\u00ff', 0],
  ['1\u00002', 1],
  ['٣', 0],
];

function outcome(parse: (text: string) => number[] | null, text: string): number[] | { position: number } | null {
  try {
    return parse(text);
  } catch (error) {
    if (error instanceof InvalidCpuListError) return { position: error.position };
    throw error;
  }
}

describe('parseCpuList (TypeScript)', () => {
  for (const [text, ids] of valid) {
    it(`parses ${JSON.stringify(text)}`, () => expect(parseCpuList(text)).toEqual(ids));
  }
  for (const [text, position] of hostile) {
    it(`refuses ${JSON.stringify(text)} at ${position}`, () => {
      expect(outcome(parseCpuList, text)).toEqual({ position });
    });
  }
  it('expands the largest range without building a set per id', () => {
    expect(parseCpuList(`0-${MAX_ID}`)).toHaveLength(MAX_ID + 1);
  });
  it('formats what it parses', () => {
    for (const text of ['0', '0-1', '1,3,5-6', '64-127,200']) expect(formatCpuList(parseCpuList(text))).toBe(text);
    expect(formatCpuList([3, 1, 2, 2, 9])).toBe('1-3,9');
    expect(formatCpuList([])).toBe('');
  });
});

describe.skipIf(!native.loaded && !addonRequired)(`C++ parser through the addon (${native.reason ?? 'loaded'})`, () => {
  it('agrees on every valid and hostile case', () => {
    for (const [text, ids] of valid) expect(nativeParseCpuList(text), text).toEqual(ids);
    for (const [text, position] of hostile) expect(outcome(nativeParseCpuList, text), JSON.stringify(text)).toEqual({ position });
  });

  it('agrees with the TypeScript parser on 5000 random strings', () => {
    // A fixed-seed generator: the same strings every run, so a failure reproduces.
    let seed = 0x2545f491;
    const next = () => {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return (seed >>> 0) / 0x100000000;
    };
    const alphabet = ['0', '1', '2', '7', '9', '-', ',', ' ', '\n', ':', 'x', '10', '64', '1048575', '1048576'];
    let accepted = 0;
    for (let n = 0; n < 5000; n++) {
      let text = '';
      const length = Math.floor(next() * 10);
      for (let i = 0; i < length; i++) text += alphabet[Math.floor(next() * alphabet.length)];
      // Compared as list text: a million-id array per comparison would make this slow, not stronger.
      const ours = outcome(parseCpuList, text);
      const theirs = outcome(nativeParseCpuList, text);
      if (Array.isArray(ours)) accepted++;
      expect(Array.isArray(theirs) ? formatCpuList(theirs) : theirs, JSON.stringify(text)).toEqual(Array.isArray(ours) ? formatCpuList(ours) : ours);
    }
    // Both branches were exercised, not just refusals.
    expect(accepted).toBeGreaterThan(100);
    expect(accepted).toBeLessThan(4900);
  });
});
