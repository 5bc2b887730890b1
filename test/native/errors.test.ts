// Bad input gets typed errors and never reaches the kernel or crashes the process; the kernel's own
// refusals are typed too; the loader explains every way loading can fail; without the addon the
// library still answers what it can and says why it cannot do the rest.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  CpuNotAllowedError,
  getAffinity,
  getMemoryPolicy,
  InvalidArgumentError,
  locatePages,
  native,
  NativeError,
  NativeUnavailableError,
  PermissionDeniedError,
  readTopology,
  setAffinity,
  setMemoryPolicy,
  SyscallError,
  translateAddonError,
  UnknownNodeError,
  type MemoryPolicy,
} from '../../src/native/index.js';
import { explainLoadError, loadNativeAddon, type NativeAddon } from '../../src/native/loader.js';
import { addonRequired, repoRoot, runWorker } from './support/native-module.js';

describe.skipIf(!native.loaded && !addonRequired)(`bad input with the addon (${native.reason ?? 'loaded'})`, () => {
  const usable = readTopology().allowedCpus;

  it('refuses CPUs outside the allowed set, naming them, and leaves the mask alone', () => {
    const before = getAffinity();
    const beyond = Math.max(...readTopology().possibleCpus) + 1;
    for (const cpus of [[beyond], [usable[0]!, beyond], [4095], [(1 << 20) - 1]]) {
      const error = captureError(() => setAffinity(cpus));
      expect(error).toBeInstanceOf(CpuNotAllowedError);
      expect((error as CpuNotAllowedError).cpus).toEqual(cpus.filter((c) => !usable.includes(c)));
      expect((error as CpuNotAllowedError).allowed).toEqual(usable);
    }
    expect(getAffinity()).toEqual(before);
  });

  it('refuses empty sets and values that are not integer ids', () => {
    const before = getAffinity();
    const bad: unknown[] = [[], [-1], [1.5], [Number.NaN], [Infinity], ['0'], [null], [undefined], [1n], [2 ** 53], [1 << 21], 0, '0-1', null, undefined, {}];
    for (const value of bad) {
      const error = captureError(() => setAffinity(value as number[]));
      expect(error, String(value)).toBeInstanceOf(InvalidArgumentError);
      expect((error as NativeError).code).toBe('INVALID_ARGUMENT');
    }
    expect(getAffinity()).toEqual(before);
  });

  it('refuses unknown NUMA nodes and malformed policies before calling the kernel', () => {
    const before = getMemoryPolicy();
    const nodes = readTopology().nodes.map((n) => n.id);
    const unknown = Math.max(...nodes) + 1;
    const unknownError = captureError(() => setMemoryPolicy({ mode: 'bind', nodes: [unknown] }));
    expect(unknownError).toBeInstanceOf(UnknownNodeError);
    expect((unknownError as UnknownNodeError).nodes).toEqual([unknown]);
    expect(captureError(() => setMemoryPolicy({ mode: 'preferred', nodes: [1000] }))).toBeInstanceOf(UnknownNodeError);

    const malformed: unknown[] = [
      { mode: 'bind', nodes: [] },
      { mode: 'bind' },
      { mode: 'bind', nodes: [0.5] },
      { mode: 'bind', nodes: ['0'] },
      { mode: 'bind', nodes: [-1] },
      { mode: 'preferred', nodes: [0, 1] },
      { mode: 'local', nodes: [0] },
      { mode: 'default', nodes: 'all' },
      { mode: 'interleave', nodes: [0] },
      { mode: 'BIND', nodes: [0] },
      {},
      null,
      'bind',
    ];
    for (const policy of malformed) {
      expect(captureError(() => setMemoryPolicy(policy as MemoryPolicy)), JSON.stringify(policy)).toBeInstanceOf(InvalidArgumentError);
    }
    expect(getMemoryPolicy()).toEqual(before);
  });

  it('refuses non-buffers for page location and handles empty and untouched buffers', () => {
    for (const value of [null, undefined, 5, 'text', {}, [1, 2]]) {
      expect(captureError(() => locatePages(value as ArrayBuffer))).toBeInstanceOf(InvalidArgumentError);
    }
    try {
      expect(locatePages(new ArrayBuffer(0)).pageCount).toBe(0);
      const touched = new Uint8Array(64 << 10).fill(1);
      const location = locatePages(touched);
      expect(location.pageCount).toBeGreaterThanOrEqual((64 << 10) / location.pageSize);
      expect(location.byNode.reduce((sum, e) => sum + e.pages, 0)).toBe(location.pageCount);
      const view = new DataView(touched.buffer, 100, 10);
      expect(locatePages(view).pageCount).toBe(1);
    } catch (error) {
      // Containers forbid move_pages outright; that must be the typed refusal, nothing else.
      expect(error).toBeInstanceOf(PermissionDeniedError);
    }
  });

  it('survives garbage passed straight to the raw addon: errors with codes, no crash', () => {
    const raw = createRequire(import.meta.url)(native.path!) as Record<string, (...args: unknown[]) => unknown>;
    const before = getAffinity();
    const calls: Array<[string, unknown[], string]> = [
      ['setAffinity', [], 'ERR_SCHEDSCOPE_INVALID_ARGUMENT'],
      ['setAffinity', ['0'], 'ERR_SCHEDSCOPE_INVALID_ARGUMENT'],
      ['setAffinity', [[]], 'ERR_SCHEDSCOPE_INVALID_ARGUMENT'],
      ['setAffinity', [[Number.NaN]], 'ERR_SCHEDSCOPE_INVALID_ARGUMENT'],
      ['setAffinity', [[2 ** 40]], 'ERR_SCHEDSCOPE_INVALID_ARGUMENT'],
      ['setAffinity', [[{}]], 'ERR_SCHEDSCOPE_INVALID_ARGUMENT'],
      ['setAffinity', [[4095]], 'ERR_SCHEDSCOPE_SYSCALL'],
      ['setMemoryPolicy', [], 'ERR_SCHEDSCOPE_INVALID_ARGUMENT'],
      ['setMemoryPolicy', ['zzz'], 'ERR_SCHEDSCOPE_INVALID_ARGUMENT'],
      ['setMemoryPolicy', ['bind'], 'ERR_SCHEDSCOPE_INVALID_ARGUMENT'],
      ['setMemoryPolicy', ['bind', [0.5]], 'ERR_SCHEDSCOPE_INVALID_ARGUMENT'],
      ['setMemoryPolicy', ['preferred', [0, 1]], 'ERR_SCHEDSCOPE_INVALID_ARGUMENT'],
      ['setMemoryPolicy', ['local', [0]], 'ERR_SCHEDSCOPE_INVALID_ARGUMENT'],
      ['setMemoryPolicy', ['bind', [4000]], 'ERR_SCHEDSCOPE_SYSCALL'],
      ['readTopology', [], 'ERR_SCHEDSCOPE_INVALID_ARGUMENT'],
      ['readTopology', [5], 'ERR_SCHEDSCOPE_INVALID_ARGUMENT'],
      ['readTopology', ['/nonexistent/schedscope'], 'ERR_SCHEDSCOPE_TOPOLOGY'],
      ['parseCpuList', [], 'ERR_SCHEDSCOPE_INVALID_ARGUMENT'],
      ['parseCpuList', ['0-'], 'ERR_SCHEDSCOPE_CPU_LIST'],
      ['queryPageNodes', [], 'ERR_SCHEDSCOPE_INVALID_ARGUMENT'],
      ['queryPageNodes', [{}], 'ERR_SCHEDSCOPE_INVALID_ARGUMENT'],
      ['queryPageNodes', ['buffer'], 'ERR_SCHEDSCOPE_INVALID_ARGUMENT'],
    ];
    for (const [name, args, code] of calls) {
      const error = captureError(() => raw[name]!(...args)) as { code?: string };
      expect(error?.code, `${name}(${JSON.stringify(args)})`).toBe(code);
    }
    expect(getAffinity()).toEqual(before);
    expect(getMemoryPolicy()).toEqual({ mode: 'default' });
  });
});

describe('kernel refusals become typed errors', () => {
  it('EPERM from the memory-policy calls is PermissionDeniedError with the container hint', () => {
    const error = translateAddonError({ code: 'ERR_SCHEDSCOPE_SYSCALL', syscall: 'set_mempolicy', errno: 'EPERM', message: 'set_mempolicy: EPERM' });
    expect(error).toBeInstanceOf(PermissionDeniedError);
    expect(error).toMatchObject({ code: 'PERMISSION_DENIED', syscall: 'set_mempolicy', errno: 'EPERM' });
    expect((error as Error).message).toMatch(/CAP_SYS_NICE/);
    expect(translateAddonError({ code: 'ERR_SCHEDSCOPE_SYSCALL', syscall: 'move_pages', errno: 'EPERM', message: '' })).toBeInstanceOf(PermissionDeniedError);
  });

  it('other errno values are SyscallError with syscall and errno', () => {
    const error = translateAddonError({ code: 'ERR_SCHEDSCOPE_SYSCALL', syscall: 'sched_setaffinity', errno: 'EINVAL', message: 'sched_setaffinity: EINVAL' });
    expect(error).toBeInstanceOf(SyscallError);
    expect(error).not.toBeInstanceOf(PermissionDeniedError);
    expect(error).toMatchObject({ code: 'SYSCALL_FAILED', syscall: 'sched_setaffinity', errno: 'EINVAL' });
  });

  it('errors without our code pass through untouched', () => {
    const plain = new RangeError('x');
    expect(translateAddonError(plain)).toBe(plain);
  });
});

describe('loader explains why the addon did not load', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'schedscope-loader-'));

  it('when disabled by the environment', () => {
    const { addon, status } = loadNativeAddon({ env: { SCHEDSCOPE_NATIVE: '0' } });
    expect(addon).toBeNull();
    expect(status).toMatchObject({ loaded: false, implementation: 'fallback', path: null });
    expect(status.reason).toMatch(/disabled by SCHEDSCOPE_NATIVE=0/);
    expect(status.capabilities).toEqual({ topology: true, setAffinity: false, memoryPolicy: false, pageLocation: false });
  });

  it('on other platforms', () => {
    expect(loadNativeAddon({ env: {}, platform: 'darwin' }).status.reason).toMatch(/Linux-only.*darwin/);
  });

  it('when never built, listing where it looked', () => {
    const status = loadNativeAddon({ env: { SCHEDSCOPE_NATIVE_PATH: join(scratch, 'missing.node') } }).status;
    expect(status.loaded).toBe(false);
    expect(status.reason).toMatch(/never built.*missing\.node.*npm run build:native/);
    expect(status.attempts).toEqual([{ path: join(scratch, 'missing.node'), outcome: 'missing', detail: 'no such file' }]);
  });

  it('when the file is not a shared library', () => {
    const path = join(scratch, 'garbage.node');
    writeFileSync(path, 'this is not an ELF file\n'.repeat(20));
    const status = loadNativeAddon({ env: { SCHEDSCOPE_NATIVE_PATH: path } }).status;
    expect(status.loaded).toBe(false);
    expect(status.attempts[0]).toMatchObject({ path, outcome: 'failed' });
    expect(status.reason).toMatch(/not a shared library for this platform.*invalid ELF header/);
    const short = join(scratch, 'short.node');
    writeFileSync(short, 'x');
    expect(loadNativeAddon({ env: { SCHEDSCOPE_NATIVE_PATH: short } }).status.reason).toMatch(/not a shared library.*file too short/);
  });

  it('when the build is stale', () => {
    const path = join(scratch, 'stale.cjs');
    writeFileSync(path, 'module.exports = { interfaceVersion: 0 };\n');
    const status = loadNativeAddon({ env: { SCHEDSCOPE_NATIVE_PATH: path } }).status;
    expect(status.attempts[0]).toMatchObject({ path, outcome: 'rejected' });
    expect(status.reason).toMatch(/stale build: interface version 0/);
  });

  it('when the package root cannot be found', () => {
    expect(loadNativeAddon({ env: {}, from: '/' }).status.reason).toMatch(/cannot find the schedscope package root/);
  });

  it('names the cause for the usual dynamic-loader messages', () => {
    const cases: Array<[string, RegExp]> = [
      ["The module '/x.node' was compiled against a different Node.js version using NODE_MODULE_VERSION 115.", /different Node\.js ABI/],
      ['/x.node: undefined symbol: __asan_report_load8', /AddressSanitizer build.*LD_PRELOAD/],
      ['/x.node: undefined symbol: napi_create_buffer_copy', /Node-API function/],
      ['/x.node: wrong ELF class: ELFCLASS32', /not a shared library for this platform/],
      ["/lib/x86_64-linux-gnu/libstdc++.so.6: version `GLIBCXX_3.4.32' not found", /newer C or C\+\+ runtime/],
      ['libfoo.so.1: cannot open shared object file: No such file or directory', /a library it depends on is missing/],
      ['Module did not self-register: /x.node', /not a Node-API module/],
      ['something else entirely', /failed to load \(something else entirely\)/],
    ];
    for (const [message, explanation] of cases) expect(explainLoadError(new Error(message))).toMatch(explanation);
  });

  it('loads the real build from the package when it exists', () => {
    if (!native.loaded && !addonRequired) return;
    const { addon, status } = loadNativeAddon({ env: {} });
    expect(status.loaded, status.reason ?? '').toBe(true);
    expect(status.path).toMatch(new RegExp(`^${repoRoot}/`));
    expect((addon as NativeAddon).getThreadId()).toBeGreaterThan(0);
  });
});

describe('without the addon (a worker with SCHEDSCOPE_NATIVE=0)', () => {
  it('reads topology, TID, current CPU and mask, and refuses the rest with the reason', async () => {
    const root = join(repoRoot, 'test', 'native', 'sysfs', 'restricted-cpuset');
    const result = await runWorker<{
      status: { loaded: boolean; reason: string; implementation: string };
      tid: number;
      pidTid: number;
      cpu: number;
      affinity: number[];
      topology: { allowedCpus: number[] };
      refusals: Record<string, { name: string; code: string; message: string }>;
    }>('fallback', { root }, { ...process.env, SCHEDSCOPE_NATIVE: '0' });
    expect(result.status).toMatchObject({ loaded: false, implementation: 'fallback' });
    expect(result.status.reason).toMatch(/SCHEDSCOPE_NATIVE=0/);
    expect(result.tid).toBe(result.pidTid);
    expect(result.affinity).toEqual(getAffinity());
    expect(result.affinity).toContain(result.cpu);
    expect(result.topology.allowedCpus).toEqual([2, 3]);
    for (const name of ['setAffinity', 'getMemoryPolicy', 'setMemoryPolicy', 'locatePages', 'nativeTopology']) {
      expect(result.refusals[name], name).toMatchObject({ name: 'NativeUnavailableError', code: 'NATIVE_UNAVAILABLE' });
      expect(result.refusals[name]!.message).toMatch(/SCHEDSCOPE_NATIVE=0/);
    }
  });

  it('NativeUnavailableError carries the operation and the reason', () => {
    const error = new NativeUnavailableError('setAffinity', 'never built');
    expect(error).toBeInstanceOf(NativeError);
    expect(error).toMatchObject({ operation: 'setAffinity', reason: 'never built', code: 'NATIVE_UNAVAILABLE', name: 'NativeUnavailableError' });
  });
});

function captureError(call: () => unknown): unknown {
  try {
    call();
  } catch (error) {
    return error;
  }
  return undefined;
}
