// Go's own analyses, for comparison: `go tool trace -pprof=<kind>` and the JSON/HTML endpoints of a
// loopback-only `go tool trace -http=127.0.0.1:0` server (browser disabled; killed afterwards).
import { spawn, spawnSync } from 'node:child_process';
import { gunzipSync } from 'node:zlib';
import { Profile } from 'pprof-format';

export interface GoProfileRecord {
  /** Innermost-first function names joined by ';' (with PCs, to match stacks exactly). */
  key: string;
  count: number;
  ns: number;
}

/** Runs `go tool trace -pprof=kind` and decodes its profile into stack → (count, ns). */
export function goPprof(kind: string, tracePath: string): Map<string, GoProfileRecord> {
  const run = spawnSync('go', ['tool', 'trace', `-pprof=${kind}`, tracePath], { maxBuffer: 1 << 28 });
  if (run.status !== 0) throw new Error(`go tool trace -pprof=${kind} failed: ${run.stderr.toString()}`);
  return decodeProfile(run.stdout);
}

/** Decodes a (gzipped) pprof profile into a map keyed by the stack's PCs. */
export function decodeProfile(bytes: Uint8Array): Map<string, GoProfileRecord> {
  const raw = bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes) : bytes;
  const profile = Profile.decode(raw);
  const locations = new Map(profile.location.map((l) => [Number(l.id), l]));
  const out = new Map<string, GoProfileRecord>();
  for (const sample of profile.sample) {
    const key = sample.locationId.map((id) => Number(locations.get(Number(id))?.address ?? 0).toString(16)).join(';');
    const prev = out.get(key) ?? { key, count: 0, ns: 0 };
    prev.count += Number(sample.value[0]);
    prev.ns += Number(sample.value[1]);
    out.set(key, prev);
  }
  return out;
}

export interface GoTraceServer {
  url: string;
  get(path: string): Promise<string>;
  close(): Promise<void>;
}

/** Starts `go tool trace -http=127.0.0.1:0` and resolves once it prints its address. */
export async function startGoTraceServer(tracePath: string): Promise<GoTraceServer> {
  const child = spawn('go', ['tool', 'trace', '-http=127.0.0.1:0', tracePath], {
    env: { ...process.env, BROWSER: 'true' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let text = '';
    const onData = (chunk: Buffer) => {
      text += chunk.toString();
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(text) ?? /listening on (127\.0\.0\.1:\d+)/.exec(text);
      if (match) resolve(match[1]!.startsWith('http') ? match[1]! : `http://${match[1]}`);
    };
    child.stderr.on('data', onData);
    child.stdout.on('data', onData);
    child.on('exit', (code) => reject(new Error(`go tool trace exited (${code}) before listening: ${text}`)));
  });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  return {
    url,
    async get(path: string) {
      const response = await fetch(url + path);
      if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
      return response.text();
    },
    async close() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

export interface GoMmuPlot {
  xMin: number;
  xMax: number;
  curve: [number, number][];
}

export async function goMmu(server: GoTraceServer, flags: string): Promise<GoMmuPlot> {
  return JSON.parse(await server.get(`/mmu?mode=plot&flags=${encodeURIComponent(flags)}`)) as GoMmuPlot;
}

export interface GoGoroutineGroup {
  name: string;
  count: number;
  execNs: number;
}

/** Parses Go's duration String() form ("1.5ms", "2m3.1s", "0s", "512ns"). */
export function parseGoDuration(text: string): number {
  if (text === '0s') return 0;
  const units: Record<string, number> = { ns: 1, 'µs': 1e3, us: 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };
  let total = 0;
  for (const match of text.matchAll(/([\d.]+)(ns|µs|us|ms|s|m|h)/g)) total += Number(match[1]) * units[match[2]!]!;
  return Math.round(total);
}

/** Parses the `/goroutines` page table. */
export async function goGoroutineGroups(server: GoTraceServer): Promise<GoGoroutineGroup[]> {
  const html = await server.get('/goroutines');
  const rows = [...html.matchAll(/<tr>\s*<td><code><a href="[^"]*">([^<]*)<\/a><\/code><\/td>\s*<td>(\d+)<\/td>\s*<td>([^<]*)<\/td>\s*<\/tr>/g)];
  const decode = (s: string) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&#34;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');
  return rows.map((m) => {
    const shown = decode(m[1]!);
    return {
      name: shown === '(Inactive, no stack trace sampled)' ? '' : shown,
      count: Number(m[2]),
      execNs: parseGoDuration(m[3]!),
    };
  });
}
