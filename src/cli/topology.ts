// `schedscope topology [--json]`: the machine as the library sees it — packages, cores, NUMA nodes,
// and what this process may use (thread mask ∩ cgroup cpuset), plus whether the native addon loaded.
import type { Command } from 'commander';
import {
  formatCpuList,
  getAffinity,
  getCurrentCpu,
  getMemoryPolicy,
  getThreadId,
  native,
  NativeError,
  readTopology,
  type ReportedMemoryPolicy,
  type Topology,
} from '../native/index.js';

interface TopologyCommandOptions {
  json?: boolean;
  root?: string;
  fallback?: boolean;
}

/** Cores listed one per line up to this many; past it the table would bury the rest. */
const MAX_CORE_ROWS = 64;

export function register(program: Command): void {
  program
    .command('topology')
    .description('CPU packages, cores, SMT siblings and NUMA nodes, and what this process may use')
    .option('--json', 'print JSON instead of tables')
    .option('--root <dir>', 'read sys/ and proc/ under this directory instead of / (fake trees, chroots)')
    .option('--fallback', 'use the TypeScript reader even when the native addon is loaded')
    .action((opts: TopologyCommandOptions) => {
      try {
        const root = opts.root ?? '/';
        const topology = readTopology({ root, implementation: opts.fallback ? 'fallback' : 'auto' });
        const thread = root === '/' ? describeThread() : null;
        const implementation = opts.fallback ? 'fallback' : native.implementation;
        if (opts.json) {
          process.stdout.write(`${JSON.stringify({ root, implementation, native, thread, topology }, null, 2)}\n`);
        } else {
          process.stdout.write(renderTables(topology, thread, root, implementation));
        }
      } catch (error) {
        if (!(error instanceof NativeError)) throw error;
        process.stderr.write(`schedscope: ${error.name}: ${error.message}\n`);
        process.exitCode = 1;
      }
    });
}

interface ThreadView {
  tid: number;
  cpu: number;
  affinity: number[];
  memoryPolicy: ReportedMemoryPolicy | null;
  memoryPolicyError: string | null;
}

function describeThread(): ThreadView {
  let memoryPolicy: ReportedMemoryPolicy | null = null;
  let memoryPolicyError: string | null = null;
  try {
    memoryPolicy = getMemoryPolicy();
  } catch (error) {
    if (!(error instanceof NativeError)) throw error;
    memoryPolicyError = error.message;
  }
  return { tid: getThreadId(), cpu: getCurrentCpu(), affinity: getAffinity(), memoryPolicy, memoryPolicyError };
}

function list(ids: readonly number[] | null, none = '-'): string {
  if (ids === null) return 'n/a';
  return ids.length === 0 ? none : formatCpuList(ids);
}

function bytes(value: number | null): string {
  if (value === null) return '?';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = value;
  let unit = 0;
  while (v >= 1024 && unit < units.length - 1) {
    v /= 1024;
    unit++;
  }
  return `${v.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
}

function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => `  ${cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ')}\n`;
  return line(headers) + rows.map(line).join('');
}

function policyText(thread: ThreadView): string {
  if (thread.memoryPolicy === null) return native.loaded ? `unknown (${thread.memoryPolicyError ?? 'unavailable'})` : 'unknown (needs the native addon)';
  const policy = thread.memoryPolicy;
  return 'nodes' in policy ? `${policy.mode} ${list(policy.nodes)}` : policy.mode;
}

function renderTables(t: Topology, thread: ThreadView | null, root: string, implementation: 'native' | 'fallback'): string {
  let out = '';
  const source =
    implementation === 'native'
      ? `native addon (${native.path ?? '?'})`
      : native.loaded
        ? 'TypeScript reader (--fallback)'
        : `TypeScript fallback — addon not loaded: ${native.reason ?? 'unknown'}`;
  out += `Topology of ${root === '/' ? 'this machine' : root} from the ${source}\n\n`;
  const memoryNodes = t.nodes.filter((n) => n.hasMemory).length;
  out += `CPUs        ${t.onlineCpus.length} online (${list(t.onlineCpus)}), offline ${list(t.offlineCpus, 'none')}, possible ${list(t.possibleCpus)}\n`;
  out += `NUMA        ${t.nodes.length} node${t.nodes.length === 1 ? '' : 's'} (${memoryNodes} with memory)${t.numa === 'single-node' ? ', no /sys/devices/system/node: treated as one node' : ''}\n`;
  out += `May use     CPUs ${list(t.allowedCpus, 'none')} (${t.allowedCpus.length} of ${t.onlineCpus.length}), memory on node${t.allowedNodes.length === 1 ? '' : 's'} ${list(t.allowedNodes, 'none')}\n`;
  out += `  because   thread mask ${list(t.threadCpus)}; cgroup cpuset cpus ${t.cgroupCpus ? list(t.cgroupCpus) : 'none found'}, mems ${t.cgroupMems ? list(t.cgroupMems) : 'none found'}; Mems_allowed ${list(t.threadMems)}\n`;
  if (thread) {
    out += `This thread TID ${thread.tid} on CPU ${thread.cpu}, mask ${list(thread.affinity)}, memory policy ${policyText(thread)}\n`;
    if (!native.loaded) out += `            pinning and memory policy need the native addon (${native.reason ?? 'not loaded'})\n`;
  }

  out += '\nPackages\n';
  out += table(
    ['package', 'cpus', 'may use', 'nodes', 'cores'],
    t.packages.map((p) => [String(p.id), list(p.cpus), list(p.allowedCpus), list(p.nodes), String(t.cores.filter((c) => c.package === p.id).length)]),
  );

  out += '\nNUMA nodes\n';
  out += table(
    ['node', 'cpus', 'may use', 'memory', 'free', 'may allocate', 'distances'],
    t.nodes.map((n) => [
      String(n.id),
      list(n.cpus),
      list(n.allowedCpus),
      n.hasMemory ? bytes(n.memoryBytes) : 'none',
      n.hasMemory ? bytes(n.freeBytes) : '',
      n.memoryAllowed ? 'yes' : 'no',
      n.distances.map((d) => `${d.node}:${d.distance}`).join(' '),
    ]),
  );

  const threadsPerCore = Math.max(...t.cores.map((c) => c.cpus.length));
  out += `\nCores (${t.cores.length}, up to ${threadsPerCore} thread${threadsPerCore === 1 ? '' : 's'} each)\n`;
  if (t.cores.length <= MAX_CORE_ROWS) {
    out += table(
      ['package', 'die', 'core', 'cpus (SMT siblings)', 'may use'],
      t.cores.map((c) => [String(c.package), String(c.die), String(c.id), list(c.cpus), list(c.allowedCpus)]),
    );
  } else {
    out += `  ${t.cores.length} cores: use --json for the full list\n`;
  }
  return out;
}
