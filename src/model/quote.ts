// Go's strconv.Quote over raw bytes, so printed strings match Go's %q byte for byte, including
// invalid UTF-8 (which trace strings may contain: the runtime truncates names at 1024 bytes).

const PRINTABLE = /[\p{L}\p{M}\p{N}\p{P}\p{S}]/u;
const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');

/** Decodes one rune at i the way Go's utf8.DecodeRune does; size 1 with rune -1 means invalid. */
function decodeRune(b: Uint8Array, i: number): [number, number] {
  const c0 = b[i]!;
  if (c0 < 0x80) return [c0, 1];
  const need = c0 >= 0xf0 && c0 <= 0xf4 ? 3 : c0 >= 0xe0 && c0 <= 0xef ? 2 : c0 >= 0xc2 && c0 <= 0xdf ? 1 : -1;
  if (need < 0 || i + need >= b.length) return [-1, 1];
  let r = c0 & (0x3f >> need);
  for (let k = 1; k <= need; k++) {
    const c = b[i + k]!;
    if ((c & 0xc0) !== 0x80) return [-1, 1];
    r = (r << 6) | (c & 0x3f);
  }
  // Overlong forms, surrogates and values past U+10FFFF are invalid.
  if ((need === 2 && r < 0x800) || (need === 3 && (r < 0x10000 || r > 0x10ffff)) || (r >= 0xd800 && r <= 0xdfff)) return [-1, 1];
  return [r, need + 1];
}

export function goQuoteBytes(b: Uint8Array): string {
  let out = '"';
  for (let i = 0; i < b.length; ) {
    const [r, size] = decodeRune(b, i);
    if (r < 0) {
      out += `\\x${hex(b[i]!, 2)}`;
      i += 1;
      continue;
    }
    i += size;
    if (r === 0x22 || r === 0x5c) {
      out += `\\${String.fromCharCode(r)}`;
    } else if (r >= 0x20 && r < 0x7f) {
      out += String.fromCharCode(r);
    } else if (r >= 0x80 && PRINTABLE.test(String.fromCodePoint(r))) {
      out += String.fromCodePoint(r);
    } else {
      switch (r) {
        case 0x07: out += '\\a'; break;
        case 0x08: out += '\\b'; break;
        case 0x0c: out += '\\f'; break;
        case 0x0a: out += '\\n'; break;
        case 0x0d: out += '\\r'; break;
        case 0x09: out += '\\t'; break;
        case 0x0b: out += '\\v'; break;
        default:
          if (r < 0x20 || r === 0x7f) out += `\\x${hex(r, 2)}`;
          else if (r < 0x10000) out += `\\u${hex(r, 4)}`;
          else out += `\\U${hex(r, 8)}`;
      }
    }
  }
  return out + '"';
}

const encoder = new TextEncoder();

export function goQuote(s: string): string {
  return goQuoteBytes(encoder.encode(s));
}
