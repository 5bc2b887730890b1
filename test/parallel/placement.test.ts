import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readTopology } from '../../src/native/index.js';
import { planPlacement } from '../../src/parallel/placement.js';
import { repoRoot } from './support/compiled.js';

const fake = (tree: string) => readTopology({ root: join(repoRoot, 'test/native/sysfs', tree), implementation: 'fallback' });

describe('planPlacement', () => {
  it('numa spreads workers over nodes, each bound to its node CPUs and memory', () => {
    const topology = fake('two-socket');
    const nodes = topology.nodes.filter((n) => n.allowedCpus.length > 0);
    expect(nodes.length).toBeGreaterThanOrEqual(2);
    const plan = planPlacement(topology, nodes.length * 2, 'numa');
    for (const p of plan) {
      const node = nodes[p.worker % nodes.length]!;
      expect(p.cpus).toEqual(node.allowedCpus);
      if (node.hasMemory && node.memoryAllowed) expect(p.memoryNode).toBe(node.id);
    }
    // Consecutive workers land on different nodes.
    expect(plan[0]!.cpus).not.toEqual(plan[1]!.cpus);
  });

  it('compact gives one CPU per worker, SMT siblings first, then wraps', () => {
    const topology = fake('smt');
    const plan = planPlacement(topology, topology.allowedCpus.length + 1, 'compact');
    const first = topology.cpus.find((c) => c.id === plan[0]!.cpus![0])!;
    // The second worker shares the first one's core when the core has a sibling.
    if (first.siblings.filter((s) => topology.allowedCpus.includes(s)).length > 1) expect(first.siblings).toContain(plan[1]!.cpus![0]);
    const used = plan.slice(0, topology.allowedCpus.length).map((p) => p.cpus![0]);
    expect([...used].sort((a, b) => a - b)).toEqual(topology.allowedCpus);
    expect(plan.at(-1)!.cpus).toEqual(plan[0]!.cpus);
  });

  it('never plans CPUs outside the allowed set (restricted cpuset, offline CPUs)', () => {
    for (const tree of ['restricted-cpuset', 'offline-cpus', 'container-no-node']) {
      const topology = fake(tree);
      for (const policy of ['numa', 'compact'] as const) {
        for (const p of planPlacement(topology, 3, policy)) {
          for (const cpu of p.cpus!) expect(topology.allowedCpus).toContain(cpu);
        }
      }
    }
  });

  it('none pins nothing; bad arguments throw', () => {
    const topology = fake('smt');
    expect(planPlacement(topology, 2, 'none')).toEqual([
      { worker: 0, cpus: null, memoryNode: null },
      { worker: 1, cpus: null, memoryNode: null },
    ]);
    expect(() => planPlacement(topology, 0, 'numa')).toThrow(RangeError);
    expect(() => planPlacement(topology, 2, 'spread' as 'numa')).toThrow(RangeError);
  });
});
