// `schedscope topology`: the table and the JSON describe the tree they were pointed at, including what
// the process may use, and a broken tree is a typed error with exit status 1, not a stack trace.
import { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { register } from '../../src/cli/topology.js';
import { native } from '../../src/native/index.js';
import { repoRoot } from './support/native-module.js';

const sysfs = join(repoRoot, 'test', 'native', 'sysfs');

async function runCli(args: string[]): Promise<{ stdout: string; stderr: string; exitCode: number | undefined }> {
  const program = new Command('schedscope').exitOverride();
  register(program);
  let stdout = '';
  let stderr = '';
  const writeOut = process.stdout.write.bind(process.stdout);
  const writeErr = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((chunk: string | Uint8Array) => ((stdout += String(chunk)), true)) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => ((stderr += String(chunk)), true)) as typeof process.stderr.write;
  process.exitCode = undefined;
  try {
    await program.parseAsync(args, { from: 'user' });
  } finally {
    process.stdout.write = writeOut;
    process.stderr.write = writeErr;
  }
  const exitCode = typeof process.exitCode === 'number' ? process.exitCode : undefined;
  return { stdout, stderr, exitCode };
}

afterEach(() => {
  process.exitCode = undefined;
});

describe('schedscope topology', () => {
  it('--json prints the topology of a tree, the implementation and the addon status', async () => {
    const root = join(sysfs, 'two-socket');
    const { stdout, exitCode } = await runCli(['topology', '--json', '--root', root, '--fallback']);
    expect(exitCode).toBeUndefined();
    const json = JSON.parse(stdout) as { root: string; implementation: string; native: { loaded: boolean }; thread: unknown; topology: unknown };
    expect(json.root).toBe(root);
    expect(json.implementation).toBe('fallback');
    expect(json.native.loaded).toBe(native.loaded);
    // Thread details describe this machine, so they are left out for another root.
    expect(json.thread).toBeNull();
    expect(json.topology).toEqual(JSON.parse(readFileSync(join(sysfs, 'two-socket', 'expected.json'), 'utf8')));
  });

  it('tables say what the process may use and why', async () => {
    const { stdout } = await runCli(['topology', '--root', join(sysfs, 'restricted-cpuset'), '--fallback']);
    expect(stdout).toMatch(/^May use {5}CPUs 2-3 \(2 of 8\), memory on node 1$/m);
    expect(stdout).toMatch(/thread mask 0-3,6; cgroup cpuset cpus 2-5, mems 1; Mems_allowed 1/);
    // Node 1: CPUs 4-7, none usable, memory allowed; core 1 of package 0 is the usable one.
    expect(stdout).toMatch(/^ +1 +4-7 +- +16\.0 GiB +13\.0 GiB +yes +0:21 1:10$/m);
    expect(stdout).toMatch(/^ +0 +0-3 +2-3 +16\.0 GiB +12\.0 GiB +no +0:10 1:21$/m);
    expect(stdout).toMatch(/^ +0 +0 +1 +2-3 +2-3$/m);
  });

  it('says when there is no node directory', async () => {
    const { stdout } = await runCli(['topology', '--root', join(sysfs, 'container-no-node'), '--fallback']);
    expect(stdout).toMatch(/1 node \(1 with memory\), no \/sys\/devices\/system\/node: treated as one node/);
  });

  it('describes the live machine and the calling thread', async () => {
    const { stdout } = await runCli(['topology', '--json']);
    const json = JSON.parse(stdout) as { implementation: string; thread: { tid: number; cpu: number; affinity: number[] }; topology: { allowedCpus: number[] } };
    expect(json.implementation).toBe(native.loaded ? 'native' : 'fallback');
    expect(json.thread.tid).toBe(process.pid);
    expect(json.thread.affinity).toContain(json.thread.cpu);
    expect(json.topology.allowedCpus.length).toBeGreaterThan(0);
    const table = await runCli(['topology']);
    expect(table.stdout).toMatch(new RegExp(`^This thread TID ${process.pid} on CPU \\d+`, 'm'));
  });

  it('reports an unreadable tree as an error with exit status 1', async () => {
    const { stderr, exitCode } = await runCli(['topology', '--root', join(sysfs, 'no-such-tree')]);
    expect(exitCode).toBe(1);
    expect(stderr).toMatch(/^schedscope: TopologyUnreadableError: cannot read the CPU topology under .*no-such-tree/);
  });
});
