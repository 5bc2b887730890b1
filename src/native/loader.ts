// Finds and loads the compiled addon, and records why when it cannot: every candidate file tried and
// what went wrong with it, in words a user can act on (the better-sqlite3 / sharp kind of loader).
// Loading happens once per thread, when this module is first imported.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Topology } from './types.js';

/** Must equal kInterfaceVersion in native/addon/addon.cpp; a mismatch means a stale build. */
export const EXPECTED_INTERFACE_VERSION = 1;
const ADDON_FILE = 'schedscope_native.node';

/** The raw functions the addon exports (see native/addon/addon.cpp). */
export interface NativeAddon {
  interfaceVersion: number;
  pageSize: number;
  readTopology(root: string): Topology;
  parseCpuList(text: string): number[];
  getAffinity(): number[];
  setAffinity(cpus: number[]): number[];
  getCurrentCpu(): number;
  getThreadId(): number;
  getMemoryPolicy(): { mode: string; nodes: number[]; flags: number };
  setMemoryPolicy(mode: string, nodes?: number[]): void;
  queryPageNodes(buffer: ArrayBuffer | ArrayBufferView): Int32Array;
}

const REQUIRED_FUNCTIONS = [
  'readTopology',
  'parseCpuList',
  'getAffinity',
  'setAffinity',
  'getCurrentCpu',
  'getThreadId',
  'getMemoryPolicy',
  'setMemoryPolicy',
  'queryPageNodes',
] as const;

export interface NativeLoadAttempt {
  path: string;
  outcome: 'missing' | 'failed' | 'rejected' | 'loaded';
  /** What happened, explained; the loader's raw error message follows in parentheses when useful. */
  detail: string;
}

export interface NativeStatus {
  /** The addon is loaded in this thread. */
  readonly loaded: boolean;
  /** Which implementation readTopology() uses by default. */
  readonly implementation: 'native' | 'fallback';
  /** The file that loaded, or null. */
  readonly path: string | null;
  /** One line saying why the addon is not loaded (null when it is). */
  readonly reason: string | null;
  /** Every file tried, in order, with the outcome. */
  readonly attempts: readonly NativeLoadAttempt[];
  /** What works in this thread. Topology, current CPU, TID and getAffinity work either way. */
  readonly capabilities: {
    readonly topology: true;
    readonly setAffinity: boolean;
    readonly memoryPolicy: boolean;
    readonly pageLocation: boolean;
  };
}

export interface LoadResult {
  addon: NativeAddon | null;
  status: NativeStatus;
}

export interface LoadOptions {
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
  /** Where to start looking for the package root (defaults to this module's folder). */
  from?: string;
}

/** Loads the addon (or explains why not). Exported for tests; the library calls it once per thread. */
export function loadNativeAddon(options: LoadOptions = {}): LoadResult {
  const env = options.env ?? process.env;
  const platform = options.platform ?? process.platform;
  const attempts: NativeLoadAttempt[] = [];
  const fail = (reason: string): LoadResult => ({ addon: null, status: makeStatus(null, null, reason, attempts) });

  const setting = (env.SCHEDSCOPE_NATIVE ?? '').trim().toLowerCase();
  if (['0', 'off', 'false', 'no'].includes(setting)) {
    return fail(`disabled by SCHEDSCOPE_NATIVE=${env.SCHEDSCOPE_NATIVE}; using the TypeScript fallback (no pinning, no memory policy)`);
  }
  if (platform !== 'linux') {
    return fail(`the native addon is Linux-only (affinity and memory-policy syscalls); this is ${platform}`);
  }

  let candidates: string[];
  const override = env.SCHEDSCOPE_NATIVE_PATH;
  if (override !== undefined && override !== '') {
    candidates = [override];
  } else {
    const root = findPackageRoot(options.from ?? dirname(fileURLToPath(import.meta.url)));
    if (root === undefined) return fail(`cannot find the schedscope package root above ${options.from ?? fileURLToPath(import.meta.url)}`);
    candidates = [
      join(root, 'native', 'build', 'cmake', 'Release', ADDON_FILE), // cmake-js (scripts/build-native.mjs)
      join(root, 'build', 'Release', ADDON_FILE), // node-gyp
      join(root, 'native', 'build', 'cmake', 'Debug', ADDON_FILE),
      join(root, 'build', 'Debug', ADDON_FILE),
    ];
  }

  const require = createRequire(import.meta.url);
  for (const path of candidates) {
    if (!existsSync(path)) {
      attempts.push({ path, outcome: 'missing', detail: 'no such file' });
      continue;
    }
    let exports: unknown;
    try {
      exports = require(path);
    } catch (error) {
      attempts.push({ path, outcome: 'failed', detail: explainLoadError(error) });
      continue;
    }
    const problem = checkExports(exports);
    if (problem !== undefined) {
      attempts.push({ path, outcome: 'rejected', detail: problem });
      continue;
    }
    attempts.push({ path, outcome: 'loaded', detail: 'loaded' });
    return { addon: exports as NativeAddon, status: makeStatus(exports as NativeAddon, path, null, attempts) };
  }

  const failed = attempts.filter((a) => a.outcome !== 'missing');
  if (failed.length === 0) {
    return fail(
      `the addon was never built (looked for ${candidates.join(', ')}); run \`npm run build:native\` to see why, or ignore: the TypeScript fallback has topology but no pinning`,
    );
  }
  return fail(failed.map((a) => `${a.path}: ${a.detail}`).join('; '));
}

function makeStatus(addon: NativeAddon | null, path: string | null, reason: string | null, attempts: NativeLoadAttempt[]): NativeStatus {
  const loaded = addon !== null;
  return Object.freeze({
    loaded,
    implementation: loaded ? 'native' : 'fallback',
    path,
    reason,
    attempts: Object.freeze(attempts.map((a) => Object.freeze({ ...a }))),
    capabilities: Object.freeze({ topology: true, setAffinity: loaded, memoryPolicy: loaded, pageLocation: loaded }),
  } as const);
}

function findPackageRoot(start: string): string | undefined {
  let dir = start;
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        if ((JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown }).name === 'schedscope') return dir;
      } catch {
        // A broken package.json further down is not ours; keep walking up.
      }
    }
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

function checkExports(exports: unknown): string | undefined {
  if (typeof exports !== 'object' || exports === null) return 'the file loaded but exports nothing usable';
  const record = exports as Record<string, unknown>;
  if (record.interfaceVersion !== EXPECTED_INTERFACE_VERSION) {
    return `stale build: interface version ${String(record.interfaceVersion)}, this library needs ${EXPECTED_INTERFACE_VERSION}; run \`npm run build:native\``;
  }
  const missing = REQUIRED_FUNCTIONS.filter((name) => typeof record[name] !== 'function');
  if (missing.length > 0) return `stale or foreign build: missing ${missing.join(', ')}; run \`npm run build:native\``;
  return undefined;
}

/** Turns the dynamic loader's message into a cause and a remedy. Exported for tests. */
export function explainLoadError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const raw = ` (${message.split('\n')[0]})`;
  if (/NODE_MODULE_VERSION/.test(message)) {
    return `built for a different Node.js ABI; rebuild with this Node (${process.version}): \`npm run build:native\`${raw}`;
  }
  if (/undefined symbol: __(asan|ubsan|lsan)/.test(message)) {
    return `an AddressSanitizer build: start node with LD_PRELOAD="$(gcc -print-file-name=libasan.so) $(gcc -print-file-name=libubsan.so)" ASAN_OPTIONS=detect_leaks=0${raw}`;
  }
  if (/undefined symbol: napi_|undefined symbol: node_api_/.test(message)) {
    return `needs a Node-API function this Node (${process.version}, Node-API ${process.versions.napi}) lacks${raw}`;
  }
  if (/undefined symbol/.test(message)) return `built against a different library or compiler runtime${raw}`;
  if (/wrong ELF class|invalid ELF header|ELF load command|file too short|cannot open shared object file: No such file/.test(message)) {
    return /cannot open shared object/.test(message)
      ? `a library it depends on is missing${raw}`
      : `not a shared library for this platform (${process.platform}-${process.arch}); rebuild here: \`npm run build:native\`${raw}`;
  }
  if (/GLIBC_|GLIBCXX_|CXXABI_/.test(message)) return `built with a newer C or C++ runtime than this system has${raw}`;
  if (/Module did not self-register|Module has no declared entry point/.test(message)) {
    return `not a Node-API module, or loaded twice in a way Node refuses${raw}`;
  }
  if (/EACCES|permission denied/i.test(message)) return `cannot be read (permissions)${raw}`;
  return `failed to load${raw}`;
}
