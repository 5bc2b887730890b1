// Real worker threads against the real kernel: pinning is per thread and visible in
// /proc/self/task/<tid>/status, the thread stays on its CPUs, the main thread is untouched, memory
// policy reads back (or the kernel's refusal is a typed error), and many workers load the addon at once.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  formatCpuList,
  getAffinity,
  getMemoryPolicy,
  getThreadId,
  native,
  PermissionDeniedError,
  readTopology,
  withPlacement,
  type MemoryPolicy,
} from '../../src/native/index.js';
import { addonRequired, runWorker } from './support/native-module.js';

function statusListOf(tid: number): string {
  const text = readFileSync(`/proc/self/task/${tid}/status`, 'latin1');
  return /^Cpus_allowed_list:\s*(.*)$/m.exec(text)![1]!.trim();
}

describe.skipIf(!native.loaded && !addonRequired)(`native addon in worker threads (${native.reason ?? 'loaded'})`, () => {
  it('is loaded (required when CI=true)', () => {
    expect(native.loaded, native.reason ?? '').toBe(true);
  });

  // Pin to each usable CPU in turn (CPU 0 and 1 here), then to all of them.
  const usable = readTopology().allowedCpus;
  const targets = [...usable.slice(0, 2).map((cpu) => [cpu]), usable];

  for (const cpus of targets) {
    it(`pins a worker to CPUs ${formatCpuList(cpus)}: visible in /proc, getcpu stays inside, main thread unchanged`, async () => {
      const mainTid = getThreadId();
      const mainBefore = getAffinity();
      const mainStatusBefore = statusListOf(mainTid);

      const result = await runWorker<{ tid: number; applied: number[]; statusList: string; affinity: number[]; seen: number[] }>('pin', {
        cpus,
        iterations: 200_000,
      });

      expect(result.tid).not.toBe(mainTid);
      expect(result.applied).toEqual(cpus);
      expect(result.affinity).toEqual(cpus);
      expect(result.statusList).toBe(formatCpuList(cpus));
      expect(result.seen.length).toBeGreaterThan(0);
      for (const cpu of result.seen) expect(cpus).toContain(cpu);

      expect(getAffinity()).toEqual(mainBefore);
      expect(statusListOf(mainTid)).toBe(mainStatusBefore);
    });
  }

  it('sets a memory policy in a worker and reads it back, or reports the refusal as a typed error', async () => {
    const topology = readTopology();
    const node = topology.allowedNodes[0]!;
    const mainPolicyBefore = readFileSync(`/proc/self/task/${getThreadId()}/numa_maps`, 'latin1').includes(`bind:${node}`);
    const result = await runWorker<{
      before: { mode: string };
      refused?: { name: string; code: string; syscall: string; errno: string };
      after?: { mode: string; nodes: number[] };
      pages?: { byNode: Array<{ node: number; pages: number }>; notPresent: number; pageCount: number };
      pagesError?: { name: string; syscall: string } | null;
      bindLines?: number;
      preferred?: { mode: string; nodes: number[] };
      local?: { mode: string };
      reset?: { mode: string };
    }>('memoryPolicy', { nodes: [node] });

    expect(result.before).toEqual({ mode: 'default' });
    if (result.refused) {
      // Containers without CAP_SYS_NICE: the kernel says EPERM and we say so, typed.
      expect(result.refused).toMatchObject({ name: 'PermissionDeniedError', code: 'PERMISSION_DENIED', syscall: 'set_mempolicy', errno: 'EPERM' });
      return;
    }
    expect(result.after).toEqual({ mode: 'bind', nodes: [node] });
    // numa_maps shows the thread's policy on every mapping without its own policy.
    expect(result.bindLines).toBeGreaterThan(0);
    if (result.pagesError) {
      expect(result.pagesError).toMatchObject({ name: 'PermissionDeniedError', syscall: 'move_pages' });
    } else {
      const placed = result.pages!.byNode.reduce((sum, entry) => sum + entry.pages, 0);
      expect(placed).toBeGreaterThan(0);
      expect(result.pages!.byNode.map((entry) => entry.node)).toEqual([node]);
    }
    expect(result.preferred).toEqual({ mode: 'preferred', nodes: [node] });
    expect(result.local).toEqual({ mode: 'local' });
    expect(result.reset).toEqual({ mode: 'default' });
    // The main thread's policy was never touched.
    expect(mainPolicyBefore).toBe(false);
    expect(readFileSync(`/proc/self/task/${getThreadId()}/numa_maps`, 'latin1').includes(`bind:${node}`)).toBe(false);
  });

  it('places a worker from its first instruction with withPlacement, and restores the creator', async () => {
    const topology = readTopology();
    const cpu = topology.allowedCpus[topology.allowedCpus.length - 1]!;
    const node = topology.allowedNodes[0]!;
    const mainBefore = getAffinity();
    let policy: MemoryPolicy | undefined = { mode: 'bind', nodes: [node] };
    let pending: Promise<{ affinity: number[]; policy: unknown }>;
    try {
      pending = withPlacement({ cpus: [cpu], memoryPolicy: policy }, () => runWorker('report', {}));
    } catch (error) {
      // Where the kernel refuses memory policy, place by CPU alone.
      expect(error).toBeInstanceOf(PermissionDeniedError);
      policy = undefined;
      pending = withPlacement({ cpus: [cpu] }, () => runWorker('report', {}));
    }
    expect(getAffinity()).toEqual(mainBefore);
    expect(getMemoryPolicy()).toEqual({ mode: 'default' });
    const report = await pending;
    expect(report.affinity).toEqual([cpu]);
    expect(report.policy).toEqual(policy ?? { mode: 'default' });
  });

  it('survives 8 workers loading the addon at once, each calling every function', async () => {
    const cpus = readTopology().allowedCpus;
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        runWorker<{ loaded: boolean; tid: number; topologyCpus: number[]; parsed: number[]; cpu: number; applied: number[]; policy: { mode: string }; errors: string[] }>(
          'smoke',
          { cpus: [cpus[i % cpus.length]!] },
        ),
      ),
    );
    const tids = new Set(results.map((r) => r.tid));
    expect(tids.size).toBe(8);
    results.forEach((r, i) => {
      expect(r.loaded).toBe(true);
      expect(r.topologyCpus).toEqual(cpus);
      expect(r.parsed).toEqual([0, 1, 2, 3, 8]);
      expect(cpus).toContain(r.cpu);
      expect(r.applied).toEqual([cpus[i % cpus.length]]);
      expect(r.policy.mode).toBe('default');
      expect(r.errors).toEqual(['InvalidArgumentError', 'InvalidArgumentError', 'InvalidArgumentError', 'InvalidArgumentError', 'InvalidArgumentError']);
    });
    expect(getAffinity()).toEqual(cpus);
  });
});
