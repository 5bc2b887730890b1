// Topology, thread affinity and NUMA memory policy for the calling thread. Uses the native addon when
// it loaded and falls back to reading /sys and /proc otherwise (topology, TID, current CPU and the
// current mask still work; changing the mask or the memory policy needs the addon). `native` says
// which, and why.
import { readFileSync, readlinkSync } from 'node:fs';
import { formatCpuList, MAX_ID, parseCpuList } from './cpu-list.js';
import {
  CpuNotAllowedError,
  InvalidArgumentError,
  InvalidCpuListError,
  NativeUnavailableError,
  NodeNotAllowedError,
  PermissionDeniedError,
  SyscallError,
  TopologyUnreadableError,
  UnknownNodeError,
} from './errors.js';
import { loadNativeAddon, type NativeAddon, type NativeStatus } from './loader.js';
import { readSysfsTopology } from './sysfs.js';
import type { MemoryPolicy, PageLocation, ReportedMemoryPolicy, Topology } from './types.js';

export * from './errors.js';
export type * from './types.js';
export type { NativeStatus, NativeLoadAttempt } from './loader.js';
export { parseCpuList, formatCpuList, MAX_ID };

const loaded = loadNativeAddon();
const addon: NativeAddon | null = loaded.addon;

/** Whether the addon loaded in this thread, from which file, and if not, exactly why. */
export const native: NativeStatus = loaded.status;

export interface ReadTopologyOptions {
  /** Filesystem root holding sys/ and proc/ (default "/"); tests point it at fake trees. */
  root?: string;
  /** 'auto' (default): the addon when loaded, else the TypeScript reader. */
  implementation?: 'auto' | 'native' | 'fallback';
}

/** The machine as the calling thread sees it, intersected with its mask and cgroup cpuset. */
export function readTopology(options: ReadTopologyOptions = {}): Topology {
  const root = options.root ?? '/';
  if (typeof root !== 'string' || root === '') throw new InvalidArgumentError('root', 'must be a non-empty path');
  const implementation = options.implementation ?? 'auto';
  if (implementation === 'native' || (implementation === 'auto' && addon)) {
    const loadedAddon = requireAddon('readTopology (native)');
    return callNative(() => loadedAddon.readTopology(root), root);
  }
  if (implementation !== 'auto' && implementation !== 'fallback') {
    throw new InvalidArgumentError('implementation', `must be 'auto', 'native' or 'fallback', not ${String(implementation)}`);
  }
  return readSysfsTopology({ root });
}

/** The calling thread's CPU affinity mask. */
export function getAffinity(): number[] {
  if (addon) return callNative(() => addon.getAffinity());
  const status = readFileSync('/proc/thread-self/status', 'latin1');
  const line = /^Cpus_allowed_list:\s*(.*)$/m.exec(status);
  if (!line) throw new TopologyUnreadableError('/', 'no Cpus_allowed_list in /proc/thread-self/status');
  return parseCpuList(line[1]!);
}

/**
 * Restricts the calling thread (a worker, or the main thread) to `cpus` and returns the mask now in
 * force. Every id must be an online CPU inside the process's cgroup cpuset; nothing is changed
 * otherwise. New threads (workers created afterwards) inherit the mask.
 */
export function setAffinity(cpus: Iterable<number>): number[] {
  const ids = idList('cpus', cpus);
  if (ids.length === 0) throw new InvalidArgumentError('cpus', 'empty set: a thread must be allowed at least one CPU');
  const loadedAddon = requireAddon('setAffinity');
  const topology = readTopology();
  const usable = topology.cgroupCpus ? topology.onlineCpus.filter((c) => topology.cgroupCpus!.includes(c)) : topology.onlineCpus;
  const outside = ids.filter((id) => !usable.includes(id));
  if (outside.length > 0) throw new CpuNotAllowedError(outside, usable);
  const applied = callNative(() => loadedAddon.setAffinity(ids));
  if (formatCpuList(applied) !== formatCpuList(ids)) {
    // The kernel intersects with the cpuset silently; say so rather than pretend.
    throw new SyscallError('sched_setaffinity', 'EINVAL', `asked for CPUs ${formatCpuList(ids)}, the kernel applied ${formatCpuList(applied)} (cpuset changed?)`);
  }
  return applied;
}

/** The CPU the calling thread is running on right now (it may move at any moment unless pinned). */
export function getCurrentCpu(): number {
  if (addon) return callNative(() => addon.getCurrentCpu());
  // Field 39 of /proc/<tid>/stat: the CPU the thread last ran on, which is this one while we read it.
  const stat = readFileSync('/proc/thread-self/stat', 'latin1');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const cpu = Number(fields[36]);
  if (!Number.isSafeInteger(cpu)) throw new TopologyUnreadableError('/', 'unexpected /proc/thread-self/stat format');
  return cpu;
}

/** The kernel thread id (TID) of the calling thread; not Node's `threadId`. */
export function getThreadId(): number {
  if (addon) return addon.getThreadId();
  const link = readlinkSync('/proc/thread-self'); // "<pid>/task/<tid>"
  return Number(link.slice(link.lastIndexOf('/') + 1));
}

/** The calling thread's memory policy. Needs the addon. */
export function getMemoryPolicy(): ReportedMemoryPolicy {
  const loadedAddon = requireAddon('getMemoryPolicy');
  const policy = callNative(() => loadedAddon.getMemoryPolicy());
  switch (policy.mode) {
    case 'default':
    case 'local':
      return { mode: policy.mode };
    case 'bind':
    case 'preferred':
    case 'interleave':
    case 'preferred-many':
    case 'weighted-interleave':
      return { mode: policy.mode, nodes: policy.nodes };
    default:
      throw new SyscallError('get_mempolicy', 'EINVAL', `the kernel reported an unknown memory policy ${policy.mode}`);
  }
}

/**
 * Sets the calling thread's memory policy; it applies to pages first touched afterwards by this
 * thread (and by threads it creates later). Nodes must exist, have memory and be allowed by the
 * cpuset. Needs the addon; in containers without CAP_SYS_NICE the kernel answers with
 * PermissionDeniedError.
 */
export function setMemoryPolicy(policy: MemoryPolicy): void {
  if (typeof policy !== 'object' || policy === null) throw new InvalidArgumentError('policy', 'must be an object with a mode');
  const mode: unknown = (policy as { mode?: unknown }).mode;
  const rawNodes: unknown = (policy as { nodes?: unknown }).nodes;
  let nodes: number[] = [];
  if (mode === 'default' || mode === 'local') {
    if (rawNodes !== undefined && (!Array.isArray(rawNodes) || rawNodes.length > 0)) {
      throw new InvalidArgumentError('policy.nodes', `mode ${mode} takes no nodes`);
    }
  } else if (mode === 'bind' || mode === 'preferred') {
    if (rawNodes === undefined) throw new InvalidArgumentError('policy.nodes', `mode ${mode} needs nodes`);
    nodes = idList('policy.nodes', rawNodes as Iterable<number>);
    if (nodes.length === 0) throw new InvalidArgumentError('policy.nodes', `mode ${mode} needs at least one node`);
    if (mode === 'preferred' && nodes.length !== 1) throw new InvalidArgumentError('policy.nodes', 'mode preferred takes exactly one node');
  } else {
    throw new InvalidArgumentError('policy.mode', `must be 'default', 'local', 'bind' or 'preferred', not ${JSON.stringify(mode)}`);
  }
  const loadedAddon = requireAddon('setMemoryPolicy');
  if (nodes.length > 0) {
    const topology = readTopology();
    const known = topology.nodes.map((n) => n.id);
    const unknown = nodes.filter((id) => !known.includes(id));
    if (unknown.length > 0) throw new UnknownNodeError(unknown, known);
    const refused = nodes.filter((id) => !topology.allowedNodes.includes(id));
    if (refused.length > 0) throw new NodeNotAllowedError(refused, topology.allowedNodes);
  }
  callNative(() => loadedAddon.setMemoryPolicy(mode, nodes));
}

export interface Placement {
  /** CPUs for the new thread; omitted: unchanged. */
  cpus?: Iterable<number>;
  /** Memory policy for the new thread; omitted: unchanged. */
  memoryPolicy?: MemoryPolicy;
}

/**
 * Runs `create` (typically `() => new Worker(...)`) with the calling thread temporarily placed as
 * asked, then restores the calling thread. A new thread inherits its creator's mask and memory
 * policy, and `new Worker()` creates its OS thread synchronously, so the worker runs placed from its
 * first instruction. Do one async fs call on the unplaced main thread before the first placement:
 * libuv's thread pool is created on first use and would inherit the placement.
 */
export function withPlacement<T>(placement: Placement, create: () => T): T {
  if (typeof create !== 'function') throw new InvalidArgumentError('create', 'must be a function');
  const savedCpus = placement.cpus !== undefined ? getAffinity() : undefined;
  let savedPolicy: MemoryPolicy | undefined;
  if (placement.memoryPolicy !== undefined) {
    const current = getMemoryPolicy();
    if (current.mode !== 'default' && current.mode !== 'local' && current.mode !== 'bind' && current.mode !== 'preferred') {
      throw new InvalidArgumentError('placement.memoryPolicy', `the calling thread's ${current.mode} policy could not be restored afterwards`);
    }
    savedPolicy = current as MemoryPolicy;
  }
  if (placement.cpus !== undefined) setAffinity(placement.cpus);
  try {
    if (placement.memoryPolicy !== undefined) setMemoryPolicy(placement.memoryPolicy);
    return create();
  } finally {
    if (savedPolicy !== undefined) setMemoryPolicy(savedPolicy);
    if (savedCpus !== undefined) setAffinity(savedCpus);
  }
}

/** Which NUMA node holds each page of `buffer` (move_pages(2) query). Needs the addon. */
export function locatePages(buffer: ArrayBuffer | ArrayBufferView): PageLocation {
  if (!(buffer instanceof ArrayBuffer) && !ArrayBuffer.isView(buffer)) {
    throw new InvalidArgumentError('buffer', 'must be an ArrayBuffer, a typed array, a DataView or a Buffer');
  }
  const loadedAddon = requireAddon('locatePages');
  const status = callNative(() => loadedAddon.queryPageNodes(buffer));
  const counts = new Map<number, number>();
  let notPresent = 0;
  let failed = 0;
  for (const value of status) {
    if (value >= 0) counts.set(value, (counts.get(value) ?? 0) + 1);
    else if (value === -2) notPresent++;
    else failed++;
  }
  return {
    pageSize: loadedAddon.pageSize,
    pageCount: status.length,
    byNode: [...counts.entries()].sort((a, b) => a[0] - b[0]).map(([node, pages]) => ({ node, pages })),
    notPresent,
    failed,
    status,
  };
}

function requireAddon(operation: string): NativeAddon {
  if (!addon) throw new NativeUnavailableError(operation, native.reason ?? 'not loaded');
  return addon;
}

function idList(argument: string, values: Iterable<number>): number[] {
  if (values === null || typeof values !== 'object' || typeof (values as Iterable<number>)[Symbol.iterator] !== 'function') {
    throw new InvalidArgumentError(argument, 'must be an array (or iterable) of integer ids');
  }
  const ids = new Set<number>();
  for (const value of values) {
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0 || value > MAX_ID) {
      throw new InvalidArgumentError(argument, `${describe(value)} is not an id (an integer from 0 to ${MAX_ID})`);
    }
    ids.add(value);
  }
  return [...ids].sort((a, b) => a - b);
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'bigint') return `${value}n`;
  return String(value);
}

interface AddonError {
  code?: unknown;
  syscall?: unknown;
  errno?: unknown;
  reason?: unknown;
  position?: unknown;
  message?: unknown;
}

/** Runs an addon call and turns its errors (which carry a `code`) into the typed errors above. */
function callNative<T>(call: () => T, root = '/'): T {
  try {
    return call();
  } catch (error) {
    throw translateAddonError(error, root);
  }
}

/** Exported for tests: maps the addon's error objects to typed errors. */
export function translateAddonError(error: unknown, root = '/'): unknown {
  if (typeof error !== 'object' || error === null) return error;
  const e = error as AddonError;
  const message = typeof e.message === 'string' ? e.message : String(error);
  switch (e.code) {
    case 'ERR_SCHEDSCOPE_SYSCALL': {
      const syscall = typeof e.syscall === 'string' ? e.syscall : 'unknown';
      const errno = typeof e.errno === 'string' ? e.errno : 'EUNKNOWN';
      if (errno === 'EPERM') {
        const hint = ['set_mempolicy', 'get_mempolicy', 'mbind', 'move_pages'].includes(syscall)
          ? ': container seccomp profiles allow it only with CAP_SYS_NICE (e.g. docker run --cap-add SYS_NICE)'
          : '';
        return new PermissionDeniedError(syscall, `the kernel refused ${syscall} (EPERM)${hint}`);
      }
      return new SyscallError(syscall, errno, message);
    }
    case 'ERR_SCHEDSCOPE_INVALID_ARGUMENT':
      return new InvalidArgumentError('argument', message);
    case 'ERR_SCHEDSCOPE_CPU_LIST':
      return new InvalidCpuListError('', typeof e.position === 'number' ? e.position : 0, typeof e.reason === 'string' ? e.reason : message);
    case 'ERR_SCHEDSCOPE_TOPOLOGY':
      return new TopologyUnreadableError(root, message);
    default:
      return error;
  }
}

/** The addon's own CPU-list parser (tests check it agrees with parseCpuList); null without the addon. */
export function nativeParseCpuList(text: string): number[] | null {
  if (!addon) return null;
  return callNative(() => {
    try {
      return addon.parseCpuList(text);
    } catch (error) {
      const e = error as AddonError;
      if (e.code === 'ERR_SCHEDSCOPE_CPU_LIST') {
        throw new InvalidCpuListError(text, typeof e.position === 'number' ? e.position : 0, typeof e.reason === 'string' ? e.reason : String(e.message));
      }
      throw error;
    }
  });
}
