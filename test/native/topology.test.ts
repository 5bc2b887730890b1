// Topology of the fake sysfs trees in test/native/sysfs, through the addon (the C++ core) and through
// the TypeScript fallback, each compared with the same expected.json. (The C++ core without Node is
// compared with the same files in core.test.ts.) Plus the live machine: both readers agree.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { native, readTopology, TopologyUnreadableError, type Topology } from '../../src/native/index.js';
import { readSysfsTopology } from '../../src/native/sysfs.js';
import { addonRequired, repoRoot } from './support/native-module.js';

const sysfs = join(repoRoot, 'test', 'native', 'sysfs');
const trees = readdirSync(sysfs, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort();

function expected(tree: string): Topology {
  return JSON.parse(readFileSync(join(sysfs, tree, 'expected.json'), 'utf8')) as Topology;
}

// Free memory changes between two reads of the live machine; everything else must not.
function withoutFreeMemory(topology: Topology): Topology {
  return { ...topology, nodes: topology.nodes.map((node) => ({ ...node, freeBytes: null })) };
}

it('has the five fake trees the tests are about', () => {
  expect(trees).toEqual(['container-no-node', 'offline-cpus', 'restricted-cpuset', 'smt', 'two-socket']);
});

describe('TypeScript fallback', () => {
  for (const tree of trees) {
    it(`reads ${tree}`, () => {
      expect(readTopology({ root: join(sysfs, tree), implementation: 'fallback' })).toEqual(expected(tree));
    });
  }

  it('reads the live machine', () => {
    const topology = readSysfsTopology();
    expect(topology.allowedCpus.length).toBeGreaterThan(0);
    expect(topology.nodes.length).toBeGreaterThan(0);
    for (const cpu of topology.allowedCpus) expect(topology.onlineCpus).toContain(cpu);
  });

  it('refuses a root without CPUs with a typed error', () => {
    expect(() => readTopology({ root: join(sysfs, 'no-such-tree'), implementation: 'fallback' })).toThrow(TopologyUnreadableError);
  });
});

describe.skipIf(!native.loaded && !addonRequired)(`native addon (${native.reason ?? 'loaded'})`, () => {
  for (const tree of trees) {
    it(`reads ${tree}`, () => {
      expect(readTopology({ root: join(sysfs, tree), implementation: 'native' })).toEqual(expected(tree));
    });
  }

  it('agrees with the fallback on the live machine', () => {
    const fromAddon = readTopology({ implementation: 'native' });
    const fromFallback = readTopology({ implementation: 'fallback' });
    expect(withoutFreeMemory(fromAddon)).toEqual(withoutFreeMemory(fromFallback));
  });

  it('refuses a root without CPUs with a typed error', () => {
    expect(() => readTopology({ root: join(sysfs, 'no-such-tree'), implementation: 'native' })).toThrow(TopologyUnreadableError);
  });
});
