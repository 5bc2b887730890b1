// Typed errors of the native layer (topology, affinity, memory policy). Bad input never reaches the
// kernel: it is refused here with the offending values named; what the kernel itself refuses arrives
// as a SyscallError (PermissionDeniedError for EPERM) carrying the syscall and errno.

export type NativeErrorCode =
  | 'NATIVE_UNAVAILABLE'
  | 'INVALID_ARGUMENT'
  | 'CPU_NOT_ALLOWED'
  | 'UNKNOWN_NODE'
  | 'NODE_NOT_ALLOWED'
  | 'INVALID_CPU_LIST'
  | 'TOPOLOGY_UNREADABLE'
  | 'PERMISSION_DENIED'
  | 'SYSCALL_FAILED';

/** Base class of every error the native layer raises. */
export class NativeError extends Error {
  readonly code: NativeErrorCode;
  constructor(code: NativeErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** The operation needs the native addon, which did not load; `reason` says why. */
export class NativeUnavailableError extends NativeError {
  readonly operation: string;
  readonly reason: string;
  constructor(operation: string, reason: string) {
    super('NATIVE_UNAVAILABLE', `${operation} needs the native addon, which is not loaded: ${reason}`);
    this.operation = operation;
    this.reason = reason;
  }
}

/** An argument has the wrong type or shape: not an array, not integers, an empty set, an unknown mode. */
export class InvalidArgumentError extends NativeError {
  readonly argument: string;
  constructor(argument: string, message: string) {
    super('INVALID_ARGUMENT', `${argument}: ${message}`);
    this.argument = argument;
  }
}

/** CPU ids that are offline, do not exist, or lie outside this process's cgroup cpuset. */
export class CpuNotAllowedError extends NativeError {
  readonly cpus: readonly number[];
  readonly allowed: readonly number[];
  constructor(cpus: readonly number[], allowed: readonly number[]) {
    super('CPU_NOT_ALLOWED', `CPU ${cpus.join(', ')} not available to this process (usable CPUs: ${formatIds(allowed)})`);
    this.cpus = cpus;
    this.allowed = allowed;
  }
}

/** NUMA node ids this machine does not have. */
export class UnknownNodeError extends NativeError {
  readonly nodes: readonly number[];
  readonly known: readonly number[];
  constructor(nodes: readonly number[], known: readonly number[]) {
    super('UNKNOWN_NODE', `no NUMA node ${nodes.join(', ')} on this machine (nodes: ${formatIds(known)})`);
    this.nodes = nodes;
    this.known = known;
  }
}

/** NUMA nodes that exist but have no memory or lie outside this thread's allowed memory nodes. */
export class NodeNotAllowedError extends NativeError {
  readonly nodes: readonly number[];
  readonly allowed: readonly number[];
  constructor(nodes: readonly number[], allowed: readonly number[]) {
    super('NODE_NOT_ALLOWED', `memory on node ${nodes.join(', ')} not available to this thread (allowed nodes: ${formatIds(allowed)})`);
    this.nodes = nodes;
    this.allowed = allowed;
  }
}

/** Text that is not in the kernel's CPU list format ("0-3,8"). */
export class InvalidCpuListError extends NativeError {
  readonly text: string;
  readonly position: number;
  readonly reason: string;
  constructor(text: string, position: number, reason: string) {
    super('INVALID_CPU_LIST', `not a CPU list: ${reason} at character ${position} of ${JSON.stringify(text.slice(0, 80))}`);
    this.text = text;
    this.position = position;
    this.reason = reason;
  }
}

/** The sysfs/procfs tree is missing what every Linux system has, or holds unparseable content. */
export class TopologyUnreadableError extends NativeError {
  readonly root: string;
  constructor(root: string, message: string, options?: { cause?: unknown }) {
    super('TOPOLOGY_UNREADABLE', `cannot read the CPU topology under ${root}: ${message}`, options);
    this.root = root;
  }
}

/** The kernel refused a syscall. */
export class SyscallError extends NativeError {
  readonly syscall: string;
  readonly errno: string;
  constructor(syscall: string, errno: string, message: string, code: NativeErrorCode = 'SYSCALL_FAILED') {
    super(code, message);
    this.syscall = syscall;
    this.errno = errno;
  }
}

/**
 * The kernel said EPERM. For set_mempolicy/get_mempolicy/move_pages this is what container seccomp
 * profiles do without CAP_SYS_NICE; the message says so.
 */
export class PermissionDeniedError extends SyscallError {
  constructor(syscall: string, message: string) {
    super(syscall, 'EPERM', message, 'PERMISSION_DENIED');
  }
}

function formatIds(ids: readonly number[]): string {
  if (ids.length === 0) return 'none';
  const parts: string[] = [];
  for (let i = 0; i < ids.length; ) {
    let j = i;
    while (j + 1 < ids.length && ids[j + 1] === ids[j]! + 1) j++;
    parts.push(j > i ? `${ids[i]}-${ids[j]}` : `${ids[i]}`);
    i = j + 1;
  }
  return parts.join(',');
}
