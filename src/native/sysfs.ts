// Pure-TypeScript topology reader: the fallback when the addon is not loaded, following exactly the
// rules of native/core/topology.cpp (both are checked against test/native/sysfs/*/expected.json).
import { closeSync, existsSync, openSync, readdirSync, readSync } from 'node:fs';
import { posix } from 'node:path';
import { parseCpuList } from './cpu-list.js';
import { InvalidCpuListError, TopologyUnreadableError } from './errors.js';
import type { Core, Cpu, NodeDistance, NumaNode, Package, Topology } from './types.js';

const MAX_FILE_BYTES = 1 << 20;

export interface SysfsTopologyOptions {
  /** Filesystem root holding sys/ and proc/; "/" for this machine. */
  root?: string;
  /** The calling thread's mask, when already known; otherwise read from proc/thread-self/status. */
  threadCpus?: readonly number[];
}

export function readSysfsTopology(options: SysfsTopologyOptions = {}): Topology {
  return new SysfsReader(options.root ?? '/').read(options.threadCpus);
}

class SysfsReader {
  constructor(private readonly root: string) {}

  private path(relative: string): string {
    return posix.join(this.root, relative.replace(/^\/+/, ''));
  }

  private readFile(path: string): string | undefined {
    let fd: number;
    try {
      fd = openSync(path, 'r');
    } catch {
      return undefined;
    }
    try {
      const chunks: Buffer[] = [];
      let total = 0;
      const buffer = Buffer.alloc(4096);
      for (;;) {
        let n: number;
        try {
          n = readSync(fd, buffer, 0, buffer.length, null);
        } catch {
          // A directory or an unreadable file reads as absent, as std::ifstream sees it.
          return total === 0 ? undefined : Buffer.concat(chunks).toString('latin1');
        }
        if (n === 0) break;
        chunks.push(Buffer.from(buffer.subarray(0, n)));
        total += n;
        if (total > MAX_FILE_BYTES) throw new TopologyUnreadableError(this.root, `${path}: larger than ${MAX_FILE_BYTES} bytes`);
      }
      return Buffer.concat(chunks).toString('latin1');
    } finally {
      closeSync(fd);
    }
  }

  private readList(path: string): number[] | undefined {
    const text = this.readFile(path);
    if (text === undefined) return undefined;
    try {
      return parseCpuList(text);
    } catch (error) {
      if (error instanceof InvalidCpuListError) throw new TopologyUnreadableError(this.root, `${path}: ${error.message}`, { cause: error });
      throw error;
    }
  }

  private readInt(path: string): number | undefined {
    const text = this.readFile(path);
    if (text === undefined) return undefined;
    const value = parseInteger(text);
    if (value === undefined) throw new TopologyUnreadableError(this.root, `${path}: not an integer`);
    return value;
  }

  private numberedEntries(dir: string, prefix: string): number[] {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return [];
    }
    const pattern = new RegExp(`^${prefix}(\\d{1,7})$`);
    const ids: number[] = [];
    for (const name of names) {
      const match = pattern.exec(name);
      if (match && Number(match[1]) <= (1 << 20) - 1) ids.push(Number(match[1]));
    }
    return [...new Set(ids)].sort((a, b) => a - b);
  }

  private statusList(text: string, field: string): number[] {
    try {
      return parseCpuList(text);
    } catch (error) {
      if (error instanceof InvalidCpuListError) throw new TopologyUnreadableError(this.root, `proc/thread-self/status ${field}: ${error.message}`, { cause: error });
      throw error;
    }
  }

  read(knownThreadCpus?: readonly number[]): Topology {
    const cpuDir = this.path('sys/devices/system/cpu');
    const nodeDir = this.path('sys/devices/system/node');

    const possibleCpus = this.readList(`${cpuDir}/possible`) ?? this.numberedEntries(cpuDir, 'cpu');
    if (possibleCpus.length === 0) throw new TopologyUnreadableError(this.root, `${cpuDir}: no CPUs found`);
    const onlineCpus = this.readList(`${cpuDir}/online`) ?? possibleCpus;
    const online = new Set(onlineCpus);
    const offlineCpus = possibleCpus.filter((c) => !online.has(c));

    const status = this.readFile(this.path('proc/thread-self/status')) ?? this.readFile(this.path('proc/self/status'));
    let threadCpus: number[];
    if (knownThreadCpus) {
      threadCpus = [...knownThreadCpus];
    } else {
      const field = status === undefined ? undefined : statusField(status, 'Cpus_allowed_list');
      threadCpus = field === undefined ? possibleCpus : this.statusList(field, 'Cpus_allowed_list');
    }
    let threadMems: number[] | null = null;
    if (status !== undefined) {
      const mems = statusField(status, 'Mems_allowed_list');
      if (mems !== undefined) threadMems = this.statusList(mems, 'Mems_allowed_list');
    }
    const cgroup = readCgroupCpuset(this.root, (p) => this.readFile(p), (p) => this.readList(p));
    let allowedCpus = intersect(onlineCpus, threadCpus);
    if (cgroup.cpus) allowedCpus = intersect(allowedCpus, cgroup.cpus);
    const allowed = new Set(allowedCpus);

    const nodes: NumaNode[] = [];
    let numa: Topology['numa'];
    if (existsSync(nodeDir)) {
      numa = 'sysfs';
      const nodeIds = this.numberedEntries(nodeDir, 'node');
      const distanceOrder = this.readList(`${nodeDir}/online`) ?? nodeIds;
      const hasMemory = this.readList(`${nodeDir}/has_memory`);
      for (const id of nodeIds) {
        const dir = `${nodeDir}/node${id}`;
        const cpus = intersect(this.readList(`${dir}/cpulist`) ?? [], onlineCpus);
        const meminfo = this.readFile(`${dir}/meminfo`);
        const memoryBytes = meminfo === undefined ? null : meminfoBytes(meminfo, 'MemTotal');
        const freeBytes = meminfo === undefined ? null : meminfoBytes(meminfo, 'MemFree');
        const distances: NodeDistance[] = [];
        const distanceText = this.readFile(`${dir}/distance`);
        if (distanceText !== undefined) {
          const values = distanceText.split(/\s+/).filter((v) => v.length > 0);
          for (let i = 0; i < values.length && i < distanceOrder.length; i++) {
            const value = parseInteger(values[i]!);
            if (value === undefined || value < 0) throw new TopologyUnreadableError(this.root, `${dir}/distance: not a list of distances`);
            distances.push({ node: distanceOrder[i]!, distance: value });
          }
        }
        nodes.push({
          id,
          cpus,
          allowedCpus: cpus.filter((c) => allowed.has(c)),
          memoryBytes,
          freeBytes,
          hasMemory: hasMemory ? hasMemory.includes(id) : (memoryBytes ?? 0) > 0,
          memoryAllowed: false,
          distances,
        });
      }
    } else {
      // Containers and kernels without CONFIG_NUMA: one node holds every CPU and all memory.
      numa = 'single-node';
      const meminfo = this.readFile(this.path('proc/meminfo'));
      nodes.push({
        id: 0,
        cpus: onlineCpus,
        allowedCpus,
        memoryBytes: meminfo === undefined ? null : meminfoBytes(meminfo, 'MemTotal'),
        freeBytes: meminfo === undefined ? null : meminfoBytes(meminfo, 'MemFree'),
        hasMemory: true,
        memoryAllowed: false,
        distances: [{ node: 0, distance: 10 }],
      });
    }

    let allowedNodes = nodes.filter((n) => n.hasMemory).map((n) => n.id);
    // A single-node view must not be emptied by a cpuset naming host nodes we cannot see.
    if (numa === 'sysfs') {
      if (threadMems) allowedNodes = intersect(allowedNodes, threadMems);
      if (cgroup.mems) allowedNodes = intersect(allowedNodes, cgroup.mems);
    }
    for (const node of nodes) node.memoryAllowed = allowedNodes.includes(node.id);

    const cpus: Cpu[] = [];
    const cores = new Map<string, Core & { order: [number, number, number] }>();
    const packages = new Map<number, Package>();
    for (const id of onlineCpus) {
      const dir = `${cpuDir}/cpu${id}/topology`;
      const pkg = this.readInt(`${dir}/physical_package_id`) ?? 0;
      const die = this.readInt(`${dir}/die_id`) ?? 0;
      const coreId = this.readInt(`${dir}/core_id`) ?? id;
      const siblingList = this.readList(`${dir}/core_cpus_list`) ?? this.readList(`${dir}/thread_siblings_list`) ?? [];
      const siblings = [...new Set([...intersect(siblingList, onlineCpus), id])].sort((a, b) => a - b);
      const node = nodes.find((n) => n.cpus.includes(id))?.id ?? null;
      const isAllowed = allowed.has(id);
      cpus.push({ id, package: pkg, die, core: coreId, node, siblings, allowed: isAllowed });

      const key = `${pkg}/${die}/${coreId}`;
      let core = cores.get(key);
      if (!core) {
        core = { package: pkg, die, id: coreId, cpus: [], allowedCpus: [], order: [pkg, die, coreId] };
        cores.set(key, core);
      }
      core.cpus.push(id);
      if (isAllowed) core.allowedCpus.push(id);

      let packageEntry = packages.get(pkg);
      if (!packageEntry) {
        packageEntry = { id: pkg, cpus: [], allowedCpus: [], nodes: [] };
        packages.set(pkg, packageEntry);
      }
      packageEntry.cpus.push(id);
      if (isAllowed) packageEntry.allowedCpus.push(id);
      if (node !== null && !packageEntry.nodes.includes(node)) packageEntry.nodes.push(node);
    }
    const coreList = [...cores.values()]
      .sort((a, b) => a.order[0] - b.order[0] || a.order[1] - b.order[1] || a.order[2] - b.order[2])
      .map(({ order: _order, ...core }) => core);
    const packageList = [...packages.values()].sort((a, b) => a.id - b.id);
    for (const p of packageList) p.nodes.sort((a, b) => a - b);

    return {
      numa,
      possibleCpus,
      onlineCpus,
      offlineCpus,
      threadCpus,
      cgroupCpus: cgroup.cpus,
      allowedCpus,
      threadMems,
      cgroupMems: cgroup.mems,
      allowedNodes,
      packages: packageList,
      nodes,
      cores: coreList,
      cpus,
    };
  }
}

interface CgroupMount {
  mountRoot: string;
  mountPoint: string;
}

/** The cgroup cpuset (v1 or v2) of the calling process, resolved through mountinfo. */
export function readCgroupCpuset(
  root: string,
  readFile: (path: string) => string | undefined,
  readList: (path: string) => number[] | undefined,
): { cpus: number[] | null; mems: number[] | null } {
  const result: { cpus: number[] | null; mems: number[] | null } = { cpus: null, mems: null };
  const mountinfo = readFile(posix.join(root, 'proc/self/mountinfo'));
  const cgroups = readFile(posix.join(root, 'proc/self/cgroup'));
  if (mountinfo === undefined || cgroups === undefined) return result;

  let v1: CgroupMount | undefined;
  let v2: CgroupMount | undefined;
  for (const line of mountinfo.split('\n')) {
    const fields = line.split(/\s+/).filter((f) => f.length > 0);
    const dash = fields.indexOf('-');
    if (dash < 0 || fields.length < 5 || fields.length - dash < 4) continue;
    const fstype = fields[dash + 1]!;
    const superOptions = fields[dash + 3]!.split(',');
    const mount = { mountRoot: unescapeMountPath(fields[3]!), mountPoint: unescapeMountPath(fields[4]!) };
    if (fstype === 'cgroup2' && !v2) v2 = mount;
    if (fstype === 'cgroup' && !v1 && superOptions.includes('cpuset')) v1 = mount;
  }

  let v1Path: string | undefined;
  let v2Path: string | undefined;
  for (const line of cgroups.split('\n')) {
    const first = line.indexOf(':');
    if (first < 0) continue;
    const second = line.indexOf(':', first + 1);
    if (second < 0) continue;
    const hierarchy = line.slice(0, first);
    const controllers = line.slice(first + 1, second);
    const path = line.slice(second + 1);
    if (hierarchy === '0' && controllers === '') v2Path = path;
    else if (controllers.split(',').includes('cpuset')) v1Path = path;
  }

  const find = (mount: CgroupMount, cgroupPath: string, names: string[]): number[] | null => {
    let relative = '/';
    if (isSafeCgroupPath(cgroupPath)) {
      if (mount.mountRoot === '/') relative = cgroupPath;
      else if (cgroupPath === mount.mountRoot) relative = '/';
      else if (cgroupPath.startsWith(`${mount.mountRoot}/`)) relative = cgroupPath.slice(mount.mountRoot.length);
    }
    let mountPoint = mount.mountPoint;
    while (mountPoint.length > 1 && mountPoint.endsWith('/')) mountPoint = mountPoint.slice(0, -1);
    let dir = relative === '/' ? mountPoint : mountPoint === '/' ? relative : mountPoint + relative;
    // A cgroup v2 child shows cpuset files only where the controller is enabled: walk up to the mount.
    for (;;) {
      for (const name of names) {
        const path = posix.join(root, `${dir}/${name}`.replace(/^\/+/, ''));
        if (existsSync(path)) return readList(path) ?? null;
      }
      if (dir === mountPoint || dir.length <= mountPoint.length) break;
      dir = parentPath(dir);
    }
    return null;
  };

  // A hybrid system mounts both; only the v1 hierarchy then carries the cpuset controller.
  if (v1 && v1Path !== undefined) {
    result.cpus = find(v1, v1Path, ['cpuset.effective_cpus', 'cpuset.cpus']);
    result.mems = find(v1, v1Path, ['cpuset.effective_mems', 'cpuset.mems']);
  } else if (v2 && v2Path !== undefined) {
    result.cpus = find(v2, v2Path, ['cpuset.cpus.effective']);
    result.mems = find(v2, v2Path, ['cpuset.mems.effective']);
  }
  return result;
}

function isSafeCgroupPath(path: string): boolean {
  return path.startsWith('/') && !path.split('/').includes('..');
}

function parentPath(path: string): string {
  const at = path.lastIndexOf('/');
  return at <= 0 ? '/' : path.slice(0, at);
}

function unescapeMountPath(text: string): string {
  return text.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

function statusField(status: string, key: string): string | undefined {
  for (const line of status.split('\n')) {
    if (line.startsWith(`${key}:`)) return line.slice(key.length + 1).trim();
  }
  return undefined;
}

function meminfoBytes(text: string, key: string): number | null {
  for (const line of text.split('\n')) {
    const words = line.split(/\s+/).filter((w) => w.length > 0);
    const k = words.length >= 2 && words[0] === 'Node' ? 2 : 0;
    if (words.length < k + 2 || words[k] !== `${key}:`) continue;
    const value = parseInteger(words[k + 1]!);
    if (value === undefined || value < 0) return null;
    return value * (words[k + 2] === 'kB' ? 1024 : 1);
  }
  return null;
}

function parseInteger(raw: string): number | undefined {
  const text = raw.trim();
  if (!/^-?\d{1,18}$/.test(text)) return undefined;
  return Number(text);
}

function intersect(a: readonly number[], b: readonly number[]): number[] {
  const other = new Set(b);
  return a.filter((id) => other.has(id));
}
