// Turns Go's text test traces (the txtar `.test` cases under
// $(go env GOROOT)/src/internal/trace/testdata/tests) and Go fuzz-corpus files into the binary
// bytes a Go program would have produced, so the same cases can be fed to schedscope and to the
// oracle. Format: docs/go-trace-format.md §7.2–7.3.
//
// This module deliberately imports nothing (not even node: modules): scripts/gen-fixtures.mjs
// loads it by transpiling this single file, without a TypeScript build step.

export type Expectation = { ok: true } | { ok: false; pattern: string };

export interface ConvertedTest {
  expect: Expectation;
  bytes: Uint8Array;
}

export interface EventSpec {
  /** The event type byte. */
  type: number;
  name: string;
  /** Argument names in wire order (for timed events the first is `dt`). */
  args: readonly string[];
  /** A `data="…"` line follows, written as uvarint(length) + bytes. */
  hasData?: boolean;
  /** `nframes` lines of `pc= func= file= line=` follow. */
  isStack?: boolean;
}

/** The full v2 event table (Go 1.26), including the experimental AllocFree events. */
export const EVENT_SPECS: readonly EventSpec[] = [
  { type: 1, name: 'EventBatch', args: ['gen', 'm', 'time', 'size'] },
  { type: 2, name: 'Stacks', args: [] },
  { type: 3, name: 'Stack', args: ['id', 'nframes'], isStack: true },
  { type: 4, name: 'Strings', args: [] },
  { type: 5, name: 'String', args: ['id'], hasData: true },
  { type: 6, name: 'CPUSamples', args: [] },
  { type: 7, name: 'CPUSample', args: ['time', 'm', 'p', 'g', 'stack'] },
  { type: 8, name: 'Frequency', args: ['freq'] },
  { type: 9, name: 'ProcsChange', args: ['dt', 'procs_value', 'stack'] },
  { type: 10, name: 'ProcStart', args: ['dt', 'p', 'p_seq'] },
  { type: 11, name: 'ProcStop', args: ['dt'] },
  { type: 12, name: 'ProcSteal', args: ['dt', 'p', 'p_seq', 'm'] },
  { type: 13, name: 'ProcStatus', args: ['dt', 'p', 'pstatus'] },
  { type: 14, name: 'GoCreate', args: ['dt', 'new_g', 'new_stack', 'stack'] },
  { type: 15, name: 'GoCreateSyscall', args: ['dt', 'new_g'] },
  { type: 16, name: 'GoStart', args: ['dt', 'g', 'g_seq'] },
  { type: 17, name: 'GoDestroy', args: ['dt'] },
  { type: 18, name: 'GoDestroySyscall', args: ['dt'] },
  { type: 19, name: 'GoStop', args: ['dt', 'reason_string', 'stack'] },
  { type: 20, name: 'GoBlock', args: ['dt', 'reason_string', 'stack'] },
  { type: 21, name: 'GoUnblock', args: ['dt', 'g', 'g_seq', 'stack'] },
  { type: 22, name: 'GoSyscallBegin', args: ['dt', 'p_seq', 'stack'] },
  { type: 23, name: 'GoSyscallEnd', args: ['dt'] },
  { type: 24, name: 'GoSyscallEndBlocked', args: ['dt'] },
  { type: 25, name: 'GoStatus', args: ['dt', 'g', 'm', 'gstatus'] },
  { type: 26, name: 'STWBegin', args: ['dt', 'kind_string', 'stack'] },
  { type: 27, name: 'STWEnd', args: ['dt'] },
  { type: 28, name: 'GCActive', args: ['dt', 'gc_seq'] },
  { type: 29, name: 'GCBegin', args: ['dt', 'gc_seq', 'stack'] },
  { type: 30, name: 'GCEnd', args: ['dt', 'gc_seq'] },
  { type: 31, name: 'GCSweepActive', args: ['dt', 'p'] },
  { type: 32, name: 'GCSweepBegin', args: ['dt', 'stack'] },
  { type: 33, name: 'GCSweepEnd', args: ['dt', 'swept_value', 'reclaimed_value'] },
  { type: 34, name: 'GCMarkAssistActive', args: ['dt', 'g'] },
  { type: 35, name: 'GCMarkAssistBegin', args: ['dt', 'stack'] },
  { type: 36, name: 'GCMarkAssistEnd', args: ['dt'] },
  { type: 37, name: 'HeapAlloc', args: ['dt', 'heapalloc_value'] },
  { type: 38, name: 'HeapGoal', args: ['dt', 'heapgoal_value'] },
  { type: 39, name: 'GoLabel', args: ['dt', 'label_string'] },
  { type: 40, name: 'UserTaskBegin', args: ['dt', 'task', 'parent_task', 'name_string', 'stack'] },
  { type: 41, name: 'UserTaskEnd', args: ['dt', 'task', 'stack'] },
  { type: 42, name: 'UserRegionBegin', args: ['dt', 'task', 'name_string', 'stack'] },
  { type: 43, name: 'UserRegionEnd', args: ['dt', 'task', 'name_string', 'stack'] },
  { type: 44, name: 'UserLog', args: ['dt', 'task', 'key_string', 'value_string', 'stack'] },
  { type: 45, name: 'GoSwitch', args: ['dt', 'g', 'g_seq'] },
  { type: 46, name: 'GoSwitchDestroy', args: ['dt', 'g', 'g_seq'] },
  { type: 47, name: 'GoCreateBlocked', args: ['dt', 'new_g', 'new_stack', 'stack'] },
  { type: 48, name: 'GoStatusStack', args: ['dt', 'g', 'm', 'gstatus', 'stack'] },
  // The trailer stands in for `size` + payload, which is how Go's raw text form spells it.
  { type: 49, name: 'ExperimentalBatch', args: ['exp', 'gen', 'm', 'time'], hasData: true },
  { type: 50, name: 'Sync', args: [] },
  { type: 51, name: 'ClockSnapshot', args: ['dt', 'mono', 'sec', 'nsec'] },
  { type: 52, name: 'EndOfGeneration', args: [] },
  { type: 128, name: 'Span', args: ['dt', 'id', 'npages_value', 'kindclass'] },
  { type: 129, name: 'SpanAlloc', args: ['dt', 'id', 'npages_value', 'kindclass'] },
  { type: 130, name: 'SpanFree', args: ['dt', 'id'] },
  { type: 131, name: 'HeapObject', args: ['dt', 'id', 'type'] },
  { type: 132, name: 'HeapObjectAlloc', args: ['dt', 'id', 'type'] },
  { type: 133, name: 'HeapObjectFree', args: ['dt', 'id'] },
  { type: 134, name: 'GoroutineStack', args: ['dt', 'id', 'order'] },
  { type: 135, name: 'GoroutineStackAlloc', args: ['dt', 'id', 'order'] },
  { type: 136, name: 'GoroutineStackFree', args: ['dt', 'id'] },
];

const SPECS_BY_NAME = new Map(EVENT_SPECS.map((spec) => [spec.name, spec]));
const FRAME_FIELDS = ['pc', 'func', 'file', 'line'] as const;
const MAX_UINT64 = (1n << 64n) - 1n;

export class TextTraceError extends Error {
  constructor(lineNumber: number, message: string) {
    super(`text trace line ${lineNumber}: ${message}`);
    this.name = 'TextTraceError';
  }
}

/** Growable byte sink; test traces are small, so a simple doubling buffer is enough. */
class ByteSink {
  private buffer = new Uint8Array(1024);
  private length = 0;

  byte(value: number): void {
    if (this.length === this.buffer.length) {
      const grown = new Uint8Array(this.buffer.length * 2);
      grown.set(this.buffer);
      this.buffer = grown;
    }
    this.buffer[this.length++] = value;
  }

  bytes(values: Uint8Array): void {
    for (const value of values) this.byte(value);
  }

  uvarint(value: bigint): void {
    this.bytes(encodeUvarint(value));
  }

  result(): Uint8Array {
    return this.buffer.slice(0, this.length);
  }
}

/** Minimal LEB128 encoding of an unsigned 64-bit value. */
export function encodeUvarint(value: bigint | number): Uint8Array {
  let rest = BigInt(value);
  if (rest < 0n || rest > MAX_UINT64) throw new RangeError(`uvarint out of range: ${rest}`);
  const out: number[] = [];
  while (rest >= 0x80n) {
    out.push(Number(rest & 0x7fn) | 0x80);
    rest >>= 7n;
  }
  out.push(Number(rest));
  return Uint8Array.from(out);
}

// Go's unicode.IsSpace: ASCII whitespace plus U+0085, U+00A0 and the Unicode White_Space set.
const GO_SPACE = /[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]/u;

/** Splits off the next whitespace-separated token, stopping at a `#` comment (Go's readToken). */
function readToken(text: string): { token: string; rest: string } {
  let start = -1;
  let index = 0;
  for (const char of text) {
    if (char === '#') return { token: '', rest: '' };
    if (!GO_SPACE.test(char)) {
      start = index;
      break;
    }
    index += char.length;
  }
  if (start < 0) return { token: '', rest: '' };
  index = start;
  for (const char of text.slice(start)) {
    if (char === '#' || GO_SPACE.test(char)) return { token: text.slice(start, index), rest: text.slice(index) };
    index += char.length;
  }
  return { token: text.slice(start), rest: '' };
}

function parseUint64(text: string, lineNumber: number, name: string): bigint {
  if (!/^[0-9]+$/.test(text)) throw new TextTraceError(lineNumber, `bad value ${JSON.stringify(text)} for ${name}`);
  const value = BigInt(text);
  if (value > MAX_UINT64) throw new TextTraceError(lineNumber, `value ${text} for ${name} overflows uint64`);
  return value;
}

function readArgs(text: string, names: readonly string[], lineNumber: number): bigint[] {
  const values: bigint[] = [];
  let rest = text;
  for (const name of names) {
    const next = readToken(rest);
    if (next.token === '') throw new TextTraceError(lineNumber, `missing argument ${name}`);
    const equals = next.token.indexOf('=');
    if (equals < 0) throw new TextTraceError(lineNumber, `malformed argument ${JSON.stringify(next.token)}`);
    const key = next.token.slice(0, equals);
    if (key !== name) throw new TextTraceError(lineNumber, `expected argument ${name}, got ${key}`);
    values.push(parseUint64(next.token.slice(equals + 1), lineNumber, name));
    rest = next.rest;
  }
  if (readToken(rest).token !== '') throw new TextTraceError(lineNumber, `unexpected text after arguments: ${JSON.stringify(rest)}`);
  return values;
}

function utf8(codePoint: number): Uint8Array {
  return new TextEncoder().encode(String.fromCodePoint(codePoint));
}

const SIMPLE_ESCAPES: Record<string, number> = {
  a: 0x07, b: 0x08, f: 0x0c, n: 0x0a, r: 0x0d, t: 0x09, v: 0x0b, '\\': 0x5c, '"': 0x22,
};

/**
 * Unquotes a Go string literal (double-quoted with escapes, or back-quoted raw) into the bytes it
 * denotes: `\xHH` and octal `\NNN` are single raw bytes, `\u`/`\U` and literal characters are UTF-8.
 */
export function unquoteGoString(literal: string): Uint8Array {
  const sink = new ByteSink();
  if (literal.length >= 2 && literal.startsWith('`') && literal.endsWith('`')) {
    // Raw strings drop carriage returns, as the Go spec says.
    sink.bytes(new TextEncoder().encode(literal.slice(1, -1).replaceAll('\r', '')));
    return sink.result();
  }
  if (literal.length < 2 || !literal.startsWith('"') || !literal.endsWith('"')) {
    throw new SyntaxError(`not a Go string literal: ${literal}`);
  }
  const body = literal.slice(1, -1);
  const fail = (why: string): never => {
    throw new SyntaxError(`bad Go string literal ${literal}: ${why}`);
  };
  const hexDigits = (start: number, count: number): number => {
    const digits = body.slice(start, start + count);
    if (digits.length !== count || !/^[0-9a-fA-F]+$/.test(digits)) fail(`expected ${count} hex digits`);
    return Number.parseInt(digits, 16);
  };
  let index = 0;
  while (index < body.length) {
    const codePoint = body.codePointAt(index) ?? 0;
    const char = String.fromCodePoint(codePoint);
    if (char === '"' || char === '\n') fail('unescaped quote or newline');
    if (char !== '\\') {
      sink.bytes(utf8(codePoint));
      index += char.length;
      continue;
    }
    const escape = body[index + 1];
    if (escape === undefined) fail('dangling backslash');
    const simple = SIMPLE_ESCAPES[escape as string];
    if (simple !== undefined) {
      sink.byte(simple);
      index += 2;
    } else if (escape === 'x') {
      sink.byte(hexDigits(index + 2, 2));
      index += 4;
    } else if (escape === 'u' || escape === 'U') {
      const count = escape === 'u' ? 4 : 8;
      const value = hexDigits(index + 2, count);
      if (value > 0x10ffff || (value >= 0xd800 && value <= 0xdfff)) fail(`invalid code point ${value.toString(16)}`);
      sink.bytes(utf8(value));
      index += 2 + count;
    } else if (escape !== undefined && escape >= '0' && escape <= '7') {
      const digits = body.slice(index + 1, index + 4);
      if (!/^[0-7]{3}$/.test(digits)) fail('expected 3 octal digits');
      const value = Number.parseInt(digits, 8);
      if (value > 255) fail('octal escape above \\377');
      sink.byte(value);
      index += 4;
    } else {
      fail(`unknown escape \\${escape}`);
    }
  }
  return sink.result();
}

/** Converts a text trace (the `trace` section of a `.test` file) to binary trace bytes. */
export function textTraceToBytes(text: string): Uint8Array {
  const lines = text.split('\n');
  let lineIndex = 0;
  /** Next line that has a token, as Go's TextReader.nextLine does; undefined at the end. */
  const nextLine = (): { text: string; number: number } | undefined => {
    while (lineIndex < lines.length) {
      const line = (lines[lineIndex] ?? '').replace(/\r$/, '');
      lineIndex++;
      if (readToken(line).token !== '') return { text: line, number: lineIndex };
    }
    return undefined;
  };

  const sink = new ByteSink();
  const header = nextLine();
  if (header === undefined) throw new TextTraceError(1, 'empty text trace');
  const traceWord = readToken(header.text);
  const versionWord = readToken(traceWord.rest);
  const version = /^Go1\.([0-9]+)$/.exec(versionWord.token);
  if (traceWord.token !== 'Trace' || version === null || readToken(versionWord.rest).token !== '') {
    throw new TextTraceError(header.number, `bad header ${JSON.stringify(header.text)}`);
  }
  const headerText = `go 1.${version[1]} trace`;
  const headerBytes = new Uint8Array(16);
  headerBytes.set(new TextEncoder().encode(headerText));
  sink.bytes(headerBytes);

  for (let line = nextLine(); line !== undefined; line = nextLine()) {
    const { token: name, rest } = readToken(line.text);
    const spec = SPECS_BY_NAME.get(name);
    if (spec === undefined) throw new TextTraceError(line.number, `unknown event ${JSON.stringify(name)}`);
    const args = readArgs(rest, spec.args, line.number);
    sink.byte(spec.type);
    for (const value of args) sink.uvarint(value);
    if (spec.isStack) {
      const frames = Number(args[1]);
      for (let frame = 0; frame < frames; frame++) {
        const frameLine = nextLine();
        if (frameLine === undefined) throw new TextTraceError(line.number, 'end of text inside a stack');
        for (const value of readArgs(frameLine.text, FRAME_FIELDS, frameLine.number)) sink.uvarint(value);
      }
    }
    if (spec.hasData) {
      const dataLine = nextLine();
      if (dataLine === undefined) throw new TextTraceError(line.number, `end of text before the data of ${name}`);
      const equals = dataLine.text.indexOf('=');
      if (equals < 0 || dataLine.text.slice(0, equals).trim() !== 'data') {
        throw new TextTraceError(dataLine.number, `malformed data line ${JSON.stringify(dataLine.text)}`);
      }
      const data = unquoteGoString(dataLine.text.slice(equals + 1).trim());
      sink.uvarint(BigInt(data.length));
      sink.bytes(data);
    }
  }
  return sink.result();
}

export interface TxtarSection {
  name: string;
  data: string;
}

/** Parses a txtar archive: `-- NAME --` lines open sections; text before the first is a comment. */
export function parseTxtar(text: string): TxtarSection[] {
  const sections: TxtarSection[] = [];
  const marker = /^-- (.+?) --\r?$/gm;
  let open: { name: string; dataStart: number } | undefined;
  for (let match = marker.exec(text); match !== null; match = marker.exec(text)) {
    if (open !== undefined) sections.push({ name: open.name, data: text.slice(open.dataStart, match.index) });
    const lineEnd = text.indexOf('\n', match.index);
    open = { name: (match[1] ?? '').trim(), dataStart: lineEnd < 0 ? text.length : lineEnd + 1 };
  }
  if (open !== undefined) sections.push({ name: open.name, data: text.slice(open.dataStart) });
  return sections;
}

function parseExpectation(text: string): Expectation {
  const firstLine = (text.split('\n')[0] ?? '').replace(/\r$/, '');
  if (firstLine === 'SUCCESS' || firstLine.startsWith('SUCCESS ')) return { ok: true };
  if (firstLine.startsWith('FAILURE ')) {
    const pattern = new TextDecoder('utf-8', { fatal: true }).decode(unquoteGoString(firstLine.slice('FAILURE '.length).trim()));
    return { ok: false, pattern };
  }
  throw new SyntaxError(`bad expectation line ${JSON.stringify(firstLine)}`);
}

/** Converts one `.test` file (txtar with `expect` and `trace` sections) to its expectation and bytes. */
export function convertTestFile(text: string): ConvertedTest {
  const sections = parseTxtar(text);
  if (sections.length !== 2 || sections[0]?.name !== 'expect' || sections[1]?.name !== 'trace') {
    throw new SyntaxError(`malformed .test file: sections ${sections.map((s) => s.name).join(', ')}`);
  }
  return { expect: parseExpectation(sections[0].data), bytes: textTraceToBytes(sections[1].data) };
}

/**
 * Reads a `go test fuzz v1` corpus file holding one `[]byte("…")` value and returns those bytes.
 */
export function parseGoFuzzCorpusFile(text: string): Uint8Array {
  const lines = text.split('\n').map((line) => line.replace(/\r$/, ''));
  if (lines[0] !== 'go test fuzz v1') throw new SyntaxError('not a "go test fuzz v1" file');
  const values = lines.slice(1).filter((line) => line.trim() !== '');
  if (values.length !== 1) throw new SyntaxError(`expected exactly one value, found ${values.length}`);
  const match = /^\s*\[\]byte\((.*)\)\s*$/s.exec(values[0] ?? '');
  if (match === null) throw new SyntaxError(`expected a []byte(...) value, got ${values[0]}`);
  return unquoteGoString((match[1] ?? '').trim());
}

export interface BatchChainReport {
  /** Byte offset of every top-level item (batch or end-of-generation marker), in file order. */
  itemOffsets: number[];
  /** Set when the stream does not decompose into whole items; the bytes left over at that point. */
  problem?: string;
}

function readUvarint(bytes: Uint8Array, offset: number): { value: bigint; next: number } | undefined {
  let value = 0n;
  let shift = 0n;
  for (let index = offset; index < bytes.length && shift < 70n; index++) {
    const byte = bytes[index] ?? 0;
    value |= BigInt(byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) return { value, next: index + 1 };
    shift += 7n;
  }
  return undefined;
}

/**
 * Walks the top-level items of a v2 byte stream using only the batch headers: each batch's `size`
 * must land exactly on the start of the next item (or the end of the data).
 */
export function checkBatchChain(bytes: Uint8Array): BatchChainReport {
  const itemOffsets: number[] = [];
  let offset = 16;
  while (offset < bytes.length) {
    itemOffsets.push(offset);
    const kind = bytes[offset];
    let cursor = offset + 1;
    if (kind === 52) {
      offset = cursor;
      continue;
    }
    if (kind !== 1 && kind !== 49) return { itemOffsets, problem: `unexpected item type ${kind} at ${offset}` };
    if (kind === 49) cursor += 1; // experiment byte
    let size = 0n;
    for (let field = 0; field < 4; field++) {
      const read = readUvarint(bytes, cursor);
      if (read === undefined) return { itemOffsets, problem: `truncated batch header at ${offset}` };
      size = read.value;
      cursor = read.next;
    }
    const end = cursor + Number(size);
    if (end > bytes.length) {
      return { itemOffsets, problem: `batch at ${offset} announces ${size} payload bytes, ${bytes.length - cursor} present` };
    }
    offset = end;
  }
  return { itemOffsets };
}
