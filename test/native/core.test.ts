// The C++ core on its own, with no Node-API in between: builds the GoogleTest unit tests and the
// topology dump tool with plain CMake (incremental after the first run), runs the tests, and compares
// the core's JSON for every fake sysfs tree with the same expected.json the addon and fallback meet.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from './support/native-module.js';

const buildDir = join(repoRoot, 'native', 'build', 'core-tests');
const sysfs = join(repoRoot, 'test', 'native', 'sysfs');
const cmakeAvailable = spawnSync('cmake', ['--version']).status === 0;
const required = process.env.CI === 'true';

function run(command: string, args: string[]): { status: number | null; output: string } {
  const result = spawnSync(command, args, { cwd: repoRoot, encoding: 'utf8', maxBuffer: 64 << 20 });
  return { status: result.status, output: `${result.stdout ?? ''}${result.stderr ?? ''}${result.error ? String(result.error) : ''}` };
}

interface GtestReport {
  tests: number;
  failures: number;
  testsuites: Array<{ testsuite: Array<{ name: string; classname: string; failures?: Array<{ failure: string }> }> }>;
}

describe.skipIf(!cmakeAvailable && !required)('C++ core (CMake + GoogleTest)', () => {
  beforeAll(() => {
    if (!existsSync(join(buildDir, 'CMakeCache.txt'))) {
      const configure = run('cmake', ['-S', repoRoot, '-B', buildDir, '-DCMAKE_BUILD_TYPE=Debug']);
      expect(configure.status, configure.output).toBe(0);
    }
    const build = run('cmake', ['--build', buildDir, '--parallel', '2']);
    expect(build.status, build.output).toBe(0);
  });

  it('passes its GoogleTest unit tests (cpuset lists, hostile input, fake trees, syscalls)', () => {
    const binary = join(buildDir, 'schedscope_core_tests');
    expect(existsSync(binary), 'GoogleTest was not found by CMake (Debian: libgtest-dev)').toBe(true);
    const report = join(buildDir, 'core-tests.json');
    const result = run(binary, [`--gtest_output=json:${report}`]);
    const parsed = JSON.parse(readFileSync(report, 'utf8')) as GtestReport;
    const failed = parsed.testsuites.flatMap((suite) =>
      suite.testsuite.filter((test) => (test.failures ?? []).length > 0).map((test) => `${test.classname}.${test.name}: ${test.failures![0]!.failure}`),
    );
    expect(failed, result.output).toEqual([]);
    expect(result.status, result.output).toBe(0);
    expect(parsed.failures).toBe(0);
    expect(parsed.tests).toBeGreaterThanOrEqual(20);
  });

  it('produces the expected topology for every fake tree', () => {
    const trees = readdirSync(sysfs, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name)
      .sort();
    const result = run(join(buildDir, 'schedscope_topology_dump'), trees.map((tree) => join(sysfs, tree)));
    expect(result.status, result.output).toBe(0);
    const topologies = JSON.parse(result.output) as unknown[];
    expect(topologies).toHaveLength(trees.length);
    trees.forEach((tree, i) => {
      expect({ tree, topology: topologies[i] }).toEqual({ tree, topology: JSON.parse(readFileSync(join(sysfs, tree, 'expected.json'), 'utf8')) });
    });
  });
});
