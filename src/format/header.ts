// The 16-byte header every Go trace starts with: "go 1.<minor> trace" padded with NULs. The minor
// number is the wire-format version, not the Go release that wrote it (Go 1.24 writes 1.23).
import { NotATraceError, UnsupportedVersionError } from '../errors.js';

export const HEADER_BYTES = 16;

/** Wire-format versions of the generational (Go 1.22+) format that schedscope decodes. */
export const SUPPORTED_VERSIONS = [22, 23, 25, 26] as const;
export type SupportedVersion = (typeof SUPPORTED_VERSIONS)[number];

/** Legacy (Go 1.11–1.21) formats that Go's reader still accepts but schedscope does not (yet). */
const LEGACY_VERSIONS = new Set([11, 19, 21]);

const PREFIX = 'go 1.';
const SUFFIX = ' trace';

/**
 * Parses the header the way Go's reader does (`go 1.%d trace\0\0\0`): the prefix, decimal digits,
 * " trace", then NULs up to byte 16.
 */
export function parseHeader(header: Uint8Array): SupportedVersion {
  const notATrace = () => new NotATraceError({ offset: 0, reason: 'bad file format: not a Go execution trace?' });
  if (header.length < HEADER_BYTES) throw notATrace();
  const text = String.fromCharCode(...header.subarray(0, HEADER_BYTES));
  if (!text.startsWith(PREFIX)) throw notATrace();
  let i = PREFIX.length;
  let digits = '';
  while (i < text.length && text[i]! >= '0' && text[i]! <= '9') digits += text[i++];
  if (digits.length === 0 || !text.startsWith(SUFFIX, i)) throw notATrace();
  i += SUFFIX.length;
  // Go's pattern demands exactly three NULs after " trace"; with a one-digit minor the 16th byte is
  // part of the first event, so only the three are checked.
  if (text.slice(i, i + 3) !== '\0\0\0') throw notATrace();
  const minor = Number(digits);
  if ((SUPPORTED_VERSIONS as readonly number[]).includes(minor)) return minor as SupportedVersion;
  const reason = LEGACY_VERSIONS.has(minor)
    ? `trace version go 1.${minor} is the legacy (Go 1.11–1.21) format, which schedscope does not read; re-record with Go 1.22 or newer`
    : `unknown or unsupported trace version go 1.${minor}`;
  throw new UnsupportedVersionError(`1.${minor}`, { offset: 0, reason });
}
