// The shapes the native layer returns. The addon (native/addon/addon.cpp) and the TypeScript fallback
// (sysfs.ts) both produce exactly these objects; test/native/sysfs/<tree>/expected.json are instances.

/** A NUMA node and its distance to this one (10 = local; the kernel's SLIT values). */
export interface NodeDistance {
  node: number;
  distance: number;
}

export interface NumaNode {
  id: number;
  /** Online CPUs of the node (empty for memory-only nodes such as CXL or HBM). */
  cpus: number[];
  /** `cpus` ∩ the topology's `allowedCpus`. */
  allowedCpus: number[];
  memoryBytes: number | null;
  freeBytes: number | null;
  hasMemory: boolean;
  /** The calling thread may allocate here (thread's Mems_allowed ∩ cgroup cpuset mems). */
  memoryAllowed: boolean;
  distances: NodeDistance[];
}

export interface Package {
  /** physical_package_id; not necessarily dense. */
  id: number;
  cpus: number[];
  allowedCpus: number[];
  /** NUMA nodes holding this package's CPUs. */
  nodes: number[];
}

export interface Core {
  package: number;
  die: number;
  /** core_id: unique only within its package. */
  id: number;
  /** The core's SMT siblings (online). */
  cpus: number[];
  allowedCpus: number[];
}

export interface Cpu {
  id: number;
  package: number;
  die: number;
  core: number;
  node: number | null;
  /** SMT siblings sharing the core, this CPU included. */
  siblings: number[];
  /** In the topology's `allowedCpus`. */
  allowed: boolean;
}

/** The machine as the calling thread sees it. Every CPU list holds online CPUs only, sorted. */
export interface Topology {
  /** 'single-node' when /sys/devices/system/node is absent (no CONFIG_NUMA, some containers). */
  numa: 'sysfs' | 'single-node';
  possibleCpus: number[];
  onlineCpus: number[];
  offlineCpus: number[];
  /** The calling thread's affinity mask. */
  threadCpus: number[];
  /** The cgroup cpuset's effective CPUs, or null when no cpuset controller is visible. */
  cgroupCpus: number[] | null;
  /** What this thread may run on: online ∩ thread mask ∩ cgroup cpuset. */
  allowedCpus: number[];
  /** Mems_allowed_list of the calling thread, or null when unreadable. */
  threadMems: number[] | null;
  cgroupMems: number[] | null;
  /** Nodes this thread may allocate memory on. */
  allowedNodes: number[];
  packages: Package[];
  nodes: NumaNode[];
  cores: Core[];
  cpus: Cpu[];
}

/** The calling thread's memory policy, as set_mempolicy(2) knows it. */
export type MemoryPolicy =
  | { mode: 'default' }
  | { mode: 'local' }
  | { mode: 'bind'; nodes: number[] }
  | { mode: 'preferred'; nodes: [number] | number[] };

/** What getMemoryPolicy() may report: also policies set outside schedscope (numactl --interleave…). */
export type ReportedMemoryPolicy =
  | MemoryPolicy
  | { mode: 'interleave' | 'preferred-many' | 'weighted-interleave'; nodes: number[] };

/** Where a buffer's pages are (move_pages(2) in query mode). */
export interface PageLocation {
  pageSize: number;
  /** Pages overlapping the buffer. */
  pageCount: number;
  /** Pages per node, nodes in id order. */
  byNode: Array<{ node: number; pages: number }>;
  /** Pages not faulted in yet (never written): they have no node until first touch. */
  notPresent: number;
  /** Pages the kernel reported any other error for. */
  failed: number;
  /** Per page: node id, or a negative errno (-2 not present, -14 not mapped). */
  status: Int32Array;
}
