#!/usr/bin/env node
// Writes the fake sysfs/procfs trees under this folder and the topology each one must produce
// (expected.json). The expectations are written out from the machine each tree describes, not
// computed by the code under test. Run again after changing a tree: `node test/native/sysfs/make-trees.mjs`.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const GiB = 1024 ** 3;
const kB = (bytes) => `${bytes / 1024} kB`;

function writer(name) {
  const root = join(here, name);
  rmSync(root, { recursive: true, force: true });
  return (path, text) => {
    const file = join(root, path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text.endsWith('\n') || text === '' ? text : `${text}\n`);
  };
}

const list = (ids) => {
  const out = [];
  for (let i = 0; i < ids.length; ) {
    let j = i;
    while (j + 1 < ids.length && ids[j + 1] === ids[j] + 1) j++;
    out.push(j > i ? `${ids[i]}-${ids[j]}` : `${ids[i]}`);
    i = j + 1;
  }
  return out.join(',');
};
const range = (a, b) => Array.from({ length: b - a + 1 }, (_, i) => a + i);
const sorted = (ids) => [...ids].sort((x, y) => x - y);

function cpuFiles(put, cpu, { pkg, die, core, siblings, oldKernel = false }) {
  const dir = `sys/devices/system/cpu/cpu${cpu}/topology`;
  put(`${dir}/physical_package_id`, `${pkg}`);
  put(`${dir}/core_id`, `${core}`);
  put(`${dir}/thread_siblings_list`, list(siblings));
  if (!oldKernel) {
    put(`${dir}/die_id`, `${die}`);
    put(`${dir}/core_cpus_list`, list(siblings));
  }
}

function nodeFiles(put, id, { cpus, memTotal, memFree, distances }) {
  const dir = `sys/devices/system/node/node${id}`;
  put(`${dir}/cpulist`, list(cpus));
  put(`${dir}/distance`, distances.join(' '));
  put(
    `${dir}/meminfo`,
    [`Node ${id} MemTotal:       ${kB(memTotal)}`, `Node ${id} MemFree:        ${kB(memFree)}`, `Node ${id} MemUsed:        ${kB(memTotal - memFree)}`].join('\n'),
  );
}

function status(put, { cpus, mems }) {
  put('proc/thread-self/status', ['Name:\tnode', 'State:\tR (running)', `Cpus_allowed_list:\t${cpus}`, `Mems_allowed_list:\t${mems}`, 'voluntary_ctxt_switches:\t1'].join('\n'));
}

function expectation(name, value) {
  writeFileSync(join(here, name, 'expected.json'), `${JSON.stringify(value, null, 2)}\n`);
}

// Two sockets, two NUMA nodes per socket (sub-NUMA clustering), 4 cores x 2 threads per socket.
// Sibling threads are n and n+8, as Linux enumerates them; core ids restart in each package.
{
  const put = writer('two-socket');
  const pkgOf = (cpu) => Math.floor((cpu % 8) / 4);
  const coreOf = (cpu) => cpu % 4;
  const nodeOf = (cpu) => Math.floor((cpu % 8) / 2);
  put('sys/devices/system/cpu/possible', '0-15');
  put('sys/devices/system/cpu/online', '0-15');
  put('sys/devices/system/cpu/offline', '');
  for (const cpu of range(0, 15)) {
    cpuFiles(put, cpu, { pkg: pkgOf(cpu), die: 0, core: coreOf(cpu), siblings: sorted([cpu % 8, (cpu % 8) + 8]) });
  }
  const distance = [
    [10, 12, 32, 32],
    [12, 10, 32, 32],
    [32, 32, 10, 12],
    [32, 32, 12, 10],
  ];
  put('sys/devices/system/node/online', '0-3');
  put('sys/devices/system/node/possible', '0-3');
  put('sys/devices/system/node/has_cpu', '0-3');
  put('sys/devices/system/node/has_memory', '0-3');
  for (const node of range(0, 3)) {
    nodeFiles(put, node, { cpus: range(0, 15).filter((c) => nodeOf(c) === node), memTotal: 16 * GiB, memFree: (8 + node) * GiB, distances: distance[node] });
  }
  status(put, { cpus: '0-15', mems: '0-3' });
  // cgroup v2; the session's own cgroup has no cpuset files, the root does: the reader walks up.
  put('proc/self/mountinfo', [
    '22 1 0:21 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw',
    '30 22 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot',
  ].join('\n'));
  put('proc/self/cgroup', '0::/user.slice/user-1000.slice/session-3.scope');
  put('sys/fs/cgroup/cpuset.cpus.effective', '0-15');
  put('sys/fs/cgroup/cpuset.mems.effective', '0-3');
  put('sys/fs/cgroup/user.slice/user-1000.slice/session-3.scope/cgroup.procs', '4242');

  const all = range(0, 15);
  expectation('two-socket', {
    numa: 'sysfs',
    possibleCpus: all,
    onlineCpus: all,
    offlineCpus: [],
    threadCpus: all,
    cgroupCpus: all,
    allowedCpus: all,
    threadMems: [0, 1, 2, 3],
    cgroupMems: [0, 1, 2, 3],
    allowedNodes: [0, 1, 2, 3],
    packages: [
      { id: 0, cpus: [0, 1, 2, 3, 8, 9, 10, 11], allowedCpus: [0, 1, 2, 3, 8, 9, 10, 11], nodes: [0, 1] },
      { id: 1, cpus: [4, 5, 6, 7, 12, 13, 14, 15], allowedCpus: [4, 5, 6, 7, 12, 13, 14, 15], nodes: [2, 3] },
    ],
    nodes: [
      { id: 0, cpus: [0, 1, 8, 9], allowedCpus: [0, 1, 8, 9], memoryBytes: 16 * GiB, freeBytes: 8 * GiB, hasMemory: true, memoryAllowed: true, distances: [{ node: 0, distance: 10 }, { node: 1, distance: 12 }, { node: 2, distance: 32 }, { node: 3, distance: 32 }] },
      { id: 1, cpus: [2, 3, 10, 11], allowedCpus: [2, 3, 10, 11], memoryBytes: 16 * GiB, freeBytes: 9 * GiB, hasMemory: true, memoryAllowed: true, distances: [{ node: 0, distance: 12 }, { node: 1, distance: 10 }, { node: 2, distance: 32 }, { node: 3, distance: 32 }] },
      { id: 2, cpus: [4, 5, 12, 13], allowedCpus: [4, 5, 12, 13], memoryBytes: 16 * GiB, freeBytes: 10 * GiB, hasMemory: true, memoryAllowed: true, distances: [{ node: 0, distance: 32 }, { node: 1, distance: 32 }, { node: 2, distance: 10 }, { node: 3, distance: 12 }] },
      { id: 3, cpus: [6, 7, 14, 15], allowedCpus: [6, 7, 14, 15], memoryBytes: 16 * GiB, freeBytes: 11 * GiB, hasMemory: true, memoryAllowed: true, distances: [{ node: 0, distance: 32 }, { node: 1, distance: 32 }, { node: 2, distance: 12 }, { node: 3, distance: 10 }] },
    ],
    cores: [
      { package: 0, die: 0, id: 0, cpus: [0, 8], allowedCpus: [0, 8] },
      { package: 0, die: 0, id: 1, cpus: [1, 9], allowedCpus: [1, 9] },
      { package: 0, die: 0, id: 2, cpus: [2, 10], allowedCpus: [2, 10] },
      { package: 0, die: 0, id: 3, cpus: [3, 11], allowedCpus: [3, 11] },
      { package: 1, die: 0, id: 0, cpus: [4, 12], allowedCpus: [4, 12] },
      { package: 1, die: 0, id: 1, cpus: [5, 13], allowedCpus: [5, 13] },
      { package: 1, die: 0, id: 2, cpus: [6, 14], allowedCpus: [6, 14] },
      { package: 1, die: 0, id: 3, cpus: [7, 15], allowedCpus: [7, 15] },
    ],
    cpus: [
      { id: 0, package: 0, die: 0, core: 0, node: 0, siblings: [0, 8], allowed: true },
      { id: 1, package: 0, die: 0, core: 1, node: 0, siblings: [1, 9], allowed: true },
      { id: 2, package: 0, die: 0, core: 2, node: 1, siblings: [2, 10], allowed: true },
      { id: 3, package: 0, die: 0, core: 3, node: 1, siblings: [3, 11], allowed: true },
      { id: 4, package: 1, die: 0, core: 0, node: 2, siblings: [4, 12], allowed: true },
      { id: 5, package: 1, die: 0, core: 1, node: 2, siblings: [5, 13], allowed: true },
      { id: 6, package: 1, die: 0, core: 2, node: 3, siblings: [6, 14], allowed: true },
      { id: 7, package: 1, die: 0, core: 3, node: 3, siblings: [7, 15], allowed: true },
      { id: 8, package: 0, die: 0, core: 0, node: 0, siblings: [0, 8], allowed: true },
      { id: 9, package: 0, die: 0, core: 1, node: 0, siblings: [1, 9], allowed: true },
      { id: 10, package: 0, die: 0, core: 2, node: 1, siblings: [2, 10], allowed: true },
      { id: 11, package: 0, die: 0, core: 3, node: 1, siblings: [3, 11], allowed: true },
      { id: 12, package: 1, die: 0, core: 0, node: 2, siblings: [4, 12], allowed: true },
      { id: 13, package: 1, die: 0, core: 1, node: 2, siblings: [5, 13], allowed: true },
      { id: 14, package: 1, die: 0, core: 2, node: 3, siblings: [6, 14], allowed: true },
      { id: 15, package: 1, die: 0, core: 3, node: 3, siblings: [7, 15], allowed: true },
    ],
  });
}

// One socket, 4 cores x 2 threads with Intel-style sparse core ids (0,1,4,5), on an older kernel that
// only has thread_siblings_list and no die_id; no cpuset controller anywhere.
{
  const put = writer('smt');
  const coreIds = [0, 1, 4, 5];
  put('sys/devices/system/cpu/possible', '0-7');
  put('sys/devices/system/cpu/online', '0-7');
  for (const cpu of range(0, 7)) {
    cpuFiles(put, cpu, { pkg: 0, die: 0, core: coreIds[cpu % 4], siblings: [cpu % 4, (cpu % 4) + 4], oldKernel: true });
  }
  put('sys/devices/system/node/online', '0');
  put('sys/devices/system/node/has_memory', '0');
  nodeFiles(put, 0, { cpus: range(0, 7), memTotal: 32 * GiB, memFree: 20 * GiB, distances: [10] });
  status(put, { cpus: '0-7', mems: '0' });
  put('proc/self/mountinfo', '30 22 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 rw,nsdelegate');
  put('proc/self/cgroup', '0::/system.slice/app.service');
  put('sys/fs/cgroup/system.slice/app.service/cgroup.procs', '4242');

  const all = range(0, 7);
  expectation('smt', {
    numa: 'sysfs',
    possibleCpus: all,
    onlineCpus: all,
    offlineCpus: [],
    threadCpus: all,
    cgroupCpus: null,
    allowedCpus: all,
    threadMems: [0],
    cgroupMems: null,
    allowedNodes: [0],
    packages: [{ id: 0, cpus: all, allowedCpus: all, nodes: [0] }],
    nodes: [{ id: 0, cpus: all, allowedCpus: all, memoryBytes: 32 * GiB, freeBytes: 20 * GiB, hasMemory: true, memoryAllowed: true, distances: [{ node: 0, distance: 10 }] }],
    cores: [
      { package: 0, die: 0, id: 0, cpus: [0, 4], allowedCpus: [0, 4] },
      { package: 0, die: 0, id: 1, cpus: [1, 5], allowedCpus: [1, 5] },
      { package: 0, die: 0, id: 4, cpus: [2, 6], allowedCpus: [2, 6] },
      { package: 0, die: 0, id: 5, cpus: [3, 7], allowedCpus: [3, 7] },
    ],
    cpus: [
      { id: 0, package: 0, die: 0, core: 0, node: 0, siblings: [0, 4], allowed: true },
      { id: 1, package: 0, die: 0, core: 1, node: 0, siblings: [1, 5], allowed: true },
      { id: 2, package: 0, die: 0, core: 4, node: 0, siblings: [2, 6], allowed: true },
      { id: 3, package: 0, die: 0, core: 5, node: 0, siblings: [3, 7], allowed: true },
      { id: 4, package: 0, die: 0, core: 0, node: 0, siblings: [0, 4], allowed: true },
      { id: 5, package: 0, die: 0, core: 1, node: 0, siblings: [1, 5], allowed: true },
      { id: 6, package: 0, die: 0, core: 4, node: 0, siblings: [2, 6], allowed: true },
      { id: 7, package: 0, die: 0, core: 5, node: 0, siblings: [3, 7], allowed: true },
    ],
  });
}

// Eight possible CPUs, CPU 6 offline (its directory has no topology/); sparse node ids 0, 1, 3 where
// node 1 has memory but no CPUs (CXL-style); node 3's cpulist still names the offline CPU.
{
  const put = writer('offline-cpus');
  put('sys/devices/system/cpu/possible', '0-7');
  put('sys/devices/system/cpu/present', '0-7');
  put('sys/devices/system/cpu/online', '0-5,7');
  put('sys/devices/system/cpu/offline', '6');
  for (const cpu of [0, 1, 2, 3, 4, 5, 7]) cpuFiles(put, cpu, { pkg: 0, die: 0, core: cpu, siblings: [cpu] });
  put('sys/devices/system/cpu/cpu6/online', '0');
  put('sys/devices/system/node/online', '0-1,3');
  put('sys/devices/system/node/possible', '0-3');
  put('sys/devices/system/node/has_cpu', '0,3');
  put('sys/devices/system/node/has_memory', '0-1,3');
  nodeFiles(put, 0, { cpus: range(0, 3), memTotal: 8 * GiB, memFree: 4 * GiB, distances: [10, 20, 30] });
  nodeFiles(put, 1, { cpus: [], memTotal: 64 * GiB, memFree: 64 * GiB, distances: [20, 10, 30] });
  nodeFiles(put, 3, { cpus: range(4, 7), memTotal: 8 * GiB, memFree: 2 * GiB, distances: [30, 30, 10] });
  status(put, { cpus: '0-7', mems: '0-1,3' });
  put('proc/self/mountinfo', '30 22 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 rw');
  put('proc/self/cgroup', '0::/');

  const online = [0, 1, 2, 3, 4, 5, 7];
  const d = (a, b, c) => [{ node: 0, distance: a }, { node: 1, distance: b }, { node: 3, distance: c }];
  expectation('offline-cpus', {
    numa: 'sysfs',
    possibleCpus: range(0, 7),
    onlineCpus: online,
    offlineCpus: [6],
    threadCpus: range(0, 7),
    cgroupCpus: null,
    allowedCpus: online,
    threadMems: [0, 1, 3],
    cgroupMems: null,
    allowedNodes: [0, 1, 3],
    packages: [{ id: 0, cpus: online, allowedCpus: online, nodes: [0, 3] }],
    nodes: [
      { id: 0, cpus: [0, 1, 2, 3], allowedCpus: [0, 1, 2, 3], memoryBytes: 8 * GiB, freeBytes: 4 * GiB, hasMemory: true, memoryAllowed: true, distances: d(10, 20, 30) },
      { id: 1, cpus: [], allowedCpus: [], memoryBytes: 64 * GiB, freeBytes: 64 * GiB, hasMemory: true, memoryAllowed: true, distances: d(20, 10, 30) },
      { id: 3, cpus: [4, 5, 7], allowedCpus: [4, 5, 7], memoryBytes: 8 * GiB, freeBytes: 2 * GiB, hasMemory: true, memoryAllowed: true, distances: d(30, 30, 10) },
    ],
    cores: online.map((cpu) => ({ package: 0, die: 0, id: cpu, cpus: [cpu], allowedCpus: [cpu] })),
    cpus: online.map((cpu) => ({ id: cpu, package: 0, die: 0, core: cpu, node: cpu < 4 ? 0 : 3, siblings: [cpu], allowed: true })),
  });
}

// A cgroup v1 cpuset (hybrid hierarchy, as Docker on older hosts) of CPUs 2-5 and memory node 1, and a
// thread mask narrowed by taskset to 0-3,6: the process may use CPUs 2-3 and allocate on node 1 only.
{
  const put = writer('restricted-cpuset');
  put('sys/devices/system/cpu/possible', '0-7');
  put('sys/devices/system/cpu/online', '0-7');
  for (const cpu of range(0, 7)) {
    const first = cpu - (cpu % 2);
    cpuFiles(put, cpu, { pkg: 0, die: 0, core: first / 2, siblings: [first, first + 1] });
  }
  put('sys/devices/system/node/online', '0-1');
  put('sys/devices/system/node/has_memory', '0-1');
  nodeFiles(put, 0, { cpus: range(0, 3), memTotal: 16 * GiB, memFree: 12 * GiB, distances: [10, 21] });
  nodeFiles(put, 1, { cpus: range(4, 7), memTotal: 16 * GiB, memFree: 13 * GiB, distances: [21, 10] });
  status(put, { cpus: '0-3,6', mems: '1' });
  put('proc/self/mountinfo', [
    '25 22 0:22 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:8 - tmpfs tmpfs ro,mode=755',
    '26 25 0:23 / /sys/fs/cgroup/unified rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 rw',
    '31 25 0:28 / /sys/fs/cgroup/cpuset rw,nosuid,nodev,noexec,relatime shared:14 - cgroup cgroup rw,cpuset',
    '32 25 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid,nodev,noexec,relatime shared:15 - cgroup cgroup rw,cpu,cpuacct',
  ].join('\n'));
  put('proc/self/cgroup', ['5:cpu,cpuacct:/docker/abc123', '3:cpuset:/docker/abc123', '0::/docker/abc123'].join('\n'));
  put('sys/fs/cgroup/cpuset/cpuset.effective_cpus', '0-7');
  put('sys/fs/cgroup/cpuset/cpuset.effective_mems', '0-1');
  put('sys/fs/cgroup/cpuset/docker/abc123/cpuset.effective_cpus', '2-5');
  put('sys/fs/cgroup/cpuset/docker/abc123/cpuset.effective_mems', '1');

  const all = range(0, 7);
  const core = (id, cpus, allowedCpus) => ({ package: 0, die: 0, id, cpus, allowedCpus });
  const cpu = (id, node, allowed) => ({ id, package: 0, die: 0, core: Math.floor(id / 2), node, siblings: [id - (id % 2), id - (id % 2) + 1], allowed });
  expectation('restricted-cpuset', {
    numa: 'sysfs',
    possibleCpus: all,
    onlineCpus: all,
    offlineCpus: [],
    threadCpus: [0, 1, 2, 3, 6],
    cgroupCpus: [2, 3, 4, 5],
    allowedCpus: [2, 3],
    threadMems: [1],
    cgroupMems: [1],
    allowedNodes: [1],
    packages: [{ id: 0, cpus: all, allowedCpus: [2, 3], nodes: [0, 1] }],
    nodes: [
      { id: 0, cpus: [0, 1, 2, 3], allowedCpus: [2, 3], memoryBytes: 16 * GiB, freeBytes: 12 * GiB, hasMemory: true, memoryAllowed: false, distances: [{ node: 0, distance: 10 }, { node: 1, distance: 21 }] },
      { id: 1, cpus: [4, 5, 6, 7], allowedCpus: [], memoryBytes: 16 * GiB, freeBytes: 13 * GiB, hasMemory: true, memoryAllowed: true, distances: [{ node: 0, distance: 21 }, { node: 1, distance: 10 }] },
    ],
    cores: [core(0, [0, 1], []), core(1, [2, 3], [2, 3]), core(2, [4, 5], []), core(3, [6, 7], [])],
    cpus: [cpu(0, 0, false), cpu(1, 0, false), cpu(2, 0, true), cpu(3, 0, true), cpu(4, 1, false), cpu(5, 1, false), cpu(6, 1, false), cpu(7, 1, false)],
  });
}

// A container: the host's CPUs are visible but there is no /sys/devices/system/node (kernel without
// CONFIG_NUMA); cgroup v2 without a cgroup namespace, so the mount root is the container's own cgroup.
{
  const put = writer('container-no-node');
  put('sys/devices/system/cpu/possible', '0-3');
  put('sys/devices/system/cpu/online', '0-3');
  for (const cpu of range(0, 3)) cpuFiles(put, cpu, { pkg: 0, die: 0, core: cpu % 2, siblings: [cpu % 2, (cpu % 2) + 2] });
  put('proc/meminfo', ['MemTotal:        8388608 kB', 'MemFree:         6291456 kB', 'MemAvailable:    7340032 kB'].join('\n'));
  status(put, { cpus: '1-2', mems: '0' });
  put('proc/self/mountinfo', [
    '600 500 0:50 / / rw,relatime - overlay overlay rw,lowerdir=/l,upperdir=/u,workdir=/w',
    '610 600 0:60 /docker/deadbeef /sys/fs/cgroup ro,nosuid,nodev,noexec,relatime - cgroup2 cgroup rw,nsdelegate',
  ].join('\n'));
  put('proc/self/cgroup', '0::/docker/deadbeef');
  put('sys/fs/cgroup/cpuset.cpus.effective', '1-2');
  put('sys/fs/cgroup/cpuset.mems.effective', '0');

  const all = [0, 1, 2, 3];
  expectation('container-no-node', {
    numa: 'single-node',
    possibleCpus: all,
    onlineCpus: all,
    offlineCpus: [],
    threadCpus: [1, 2],
    cgroupCpus: [1, 2],
    allowedCpus: [1, 2],
    threadMems: [0],
    cgroupMems: [0],
    allowedNodes: [0],
    packages: [{ id: 0, cpus: all, allowedCpus: [1, 2], nodes: [0] }],
    nodes: [{ id: 0, cpus: all, allowedCpus: [1, 2], memoryBytes: 8 * GiB, freeBytes: 6 * GiB, hasMemory: true, memoryAllowed: true, distances: [{ node: 0, distance: 10 }] }],
    cores: [
      { package: 0, die: 0, id: 0, cpus: [0, 2], allowedCpus: [2] },
      { package: 0, die: 0, id: 1, cpus: [1, 3], allowedCpus: [1] },
    ],
    cpus: [
      { id: 0, package: 0, die: 0, core: 0, node: 0, siblings: [0, 2], allowed: false },
      { id: 1, package: 0, die: 0, core: 1, node: 0, siblings: [1, 3], allowed: true },
      { id: 2, package: 0, die: 0, core: 0, node: 0, siblings: [0, 2], allowed: true },
      { id: 3, package: 0, die: 0, core: 1, node: 0, siblings: [1, 3], allowed: false },
    ],
  });
}
