// Where each worker runs: a pure function of the topology, so multi-node plans are tested with fake
// sysfs trees on a one-node machine.
import type { Topology } from '../native/types.js';

export type PlacementPolicy = 'numa' | 'compact' | 'none';

export interface WorkerPlacement {
  worker: number;
  /** CPUs the worker pins itself to, sorted; null = not pinned. */
  cpus: number[] | null;
  /** Node whose memory the worker binds its allocations to; null = the kernel's default policy. */
  memoryNode: number | null;
}

/**
 * numa: workers spread round-robin over the nodes that have allowed CPUs, each bound to all of its
 * node's allowed CPUs, memory bound to that node (or the nearest allowed node with memory).
 * compact: one CPU per worker, filling SMT siblings of a core, then cores, then nodes, in order
 * (wrapping around when there are more workers than CPUs). none: no pinning, no memory policy.
 */
export function planPlacement(topology: Topology, workers: number, policy: PlacementPolicy): WorkerPlacement[] {
  if (!Number.isInteger(workers) || workers < 1) throw new RangeError(`workers must be a positive integer, got ${workers}`);
  const plan: WorkerPlacement[] = [];
  if (policy === 'none') {
    for (let worker = 0; worker < workers; worker++) plan.push({ worker, cpus: null, memoryNode: null });
    return plan;
  }
  const allowed = new Set(topology.allowedCpus);
  if (allowed.size === 0) throw new RangeError('the topology has no allowed CPUs to place workers on');
  if (policy === 'numa') {
    const nodes = topology.nodes.filter((n) => n.allowedCpus.length > 0).sort((a, b) => a.id - b.id);
    if (nodes.length === 0) {
      // No NUMA information (single-node kernel or container): one implicit node with every CPU.
      const cpus = [...allowed].sort((a, b) => a - b);
      for (let worker = 0; worker < workers; worker++) plan.push({ worker, cpus, memoryNode: null });
      return plan;
    }
    for (let worker = 0; worker < workers; worker++) {
      const node = nodes[worker % nodes.length]!;
      plan.push({ worker, cpus: [...node.allowedCpus].sort((a, b) => a - b), memoryNode: memoryNodeFor(topology, node.id) });
    }
    return plan;
  }
  if (policy === 'compact') {
    const order = topology.cpus
      .filter((c) => allowed.has(c.id))
      .sort((a, b) => (a.node ?? -1) - (b.node ?? -1) || a.package - b.package || a.die - b.die || a.core - b.core || a.id - b.id);
    const ids = order.length > 0 ? order.map((c) => c.id) : [...allowed].sort((a, b) => a - b);
    for (let worker = 0; worker < workers; worker++) {
      const cpu = ids[worker % ids.length]!;
      const node = topology.cpus.find((c) => c.id === cpu)?.node ?? null;
      plan.push({ worker, cpus: [cpu], memoryNode: node === null ? null : memoryNodeFor(topology, node) });
    }
    return plan;
  }
  throw new RangeError(`placement must be 'numa', 'compact' or 'none', not ${JSON.stringify(policy)}`);
}

/** The node itself when it has memory we may use, else the nearest such node by SLIT distance. */
function memoryNodeFor(topology: Topology, nodeId: number): number | null {
  const usable = (id: number) => {
    const n = topology.nodes.find((x) => x.id === id);
    return n !== undefined && n.hasMemory && n.memoryAllowed;
  };
  if (usable(nodeId)) return nodeId;
  const node = topology.nodes.find((n) => n.id === nodeId);
  const candidates = (node?.distances ?? []).filter((d) => d.node !== nodeId && usable(d.node)).sort((a, b) => a.distance - b.distance || a.node - b.node);
  return candidates[0]?.node ?? null;
}
