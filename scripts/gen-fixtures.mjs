#!/usr/bin/env node
// Regenerates schedscope's reference test data with the real Go toolchain:
//   fixtures     test/fixtures/<program> → test/fixtures/traces/<name>.trace + .golden.gz (+ .error)
//                (http-server's trace goes to samples/http-server.trace)
//   conformance  $(go env GOROOT)/src/internal/trace/testdata/tests/*.test
//                → test/conformance/traces/<name>.trace + .golden.gz (+ .error)
// Goldens are the oracle's output (golang.org/x/exp/trace; identical to `go tool trace -d=parsed`).
//
//   fuzz         $(go env GOROOT)/src/internal/trace/testdata/fuzz/FuzzReader/*
//                → test/conformance/fuzz/<name>.trace + .golden.gz (+ .error)
// Usage: node scripts/gen-fixtures.mjs [fixtures|conformance|fuzz]... [--only name,name]
//
// The test/support helpers are TypeScript; this script transpiles them with the project's own
// typescript dependency into test/.generated/ts/ instead of needing a build step.
import { mkdir, readFile, readdir, rm, writeFile, copyFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import ts from 'typescript';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const supportDir = join(root, 'test', 'support');
const transpiledDir = join(root, 'test', '.generated', 'ts');

async function loadSupportModules(names) {
  await mkdir(transpiledDir, { recursive: true });
  for (const name of names) {
    const source = await readFile(join(supportDir, `${name}.ts`), 'utf8');
    const { outputText } = ts.transpileModule(source, {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
      fileName: `${name}.ts`,
    });
    await writeFile(join(transpiledDir, `${name}.js`), outputText);
  }
  return Promise.all(names.map((name) => import(pathToFileURL(join(transpiledDir, `${name}.js`)).href)));
}

const [oracle, fixtures, textTrace] = await loadSupportModules(['oracle', 'fixtures', 'text-trace']);

async function writeGolden(tracePath, goldenBase) {
  const dump = await oracle.runOracleDump(tracePath);
  // Goldens print every stack in full and run to ~40x their trace's size; gzip keeps the
  // committed test data within budget (fixtures.readGolden reads them back).
  await writeFile(`${goldenBase}.golden.gz`, gzipSync(dump.stdout, { level: 9 }));
  await rm(`${goldenBase}.golden`, { force: true });
  const errorPath = `${goldenBase}.error`;
  if (dump.error === null) await rm(errorPath, { force: true });
  else await writeFile(errorPath, `${dump.error}\n`);
  return dump;
}

function describe(dump, tracePath) {
  const events = dump.stdout.split('\n').filter((line) => line.startsWith('M=')).length;
  const size = execFileSync('stat', ['-c', '%s', tracePath], { encoding: 'utf8' }).trim();
  return `${size} bytes, ${events} events${dump.error === null ? '' : `, ERROR: ${dump.error}`}`;
}

async function generateFixtures(only) {
  await mkdir(fixtures.FIXTURE_TRACES_DIR, { recursive: true });
  const scratch = join(root, 'test', '.generated', 'fresh');
  for (const program of fixtures.FIXTURE_PROGRAMS) {
    if (only !== undefined && !only.includes(program.name)) continue;
    const committed = fixtures.committedTracePath(program);
    await mkdir(dirname(committed), { recursive: true });
    // Some coverage depends on timing (a generation starting mid-GC, say): rerun until it shows.
    const attempts = 10;
    for (let attempt = 1; ; attempt++) {
      const fresh = await fixtures.generateFreshFixture(program.name, scratch);
      const dump = await oracle.runOracleDump(fresh);
      const missing = fixtures.missingCoverage(program, dump.stdout);
      if (missing.length > 0 && attempt < attempts) continue;
      await copyFile(fresh, committed);
      await writeGolden(committed, join(fixtures.FIXTURE_TRACES_DIR, program.name));
      console.log(`fixture ${program.name}: ${describe(dump, committed)} (attempt ${attempt})`);
      if (missing.length > 0) {
        console.error(`  ${program.name} still lacks ${missing.join(', ')} after ${attempts} runs`);
        process.exitCode = 1;
      }
      if ((await readFile(committed)).length > 300_000) {
        console.warn(`  warning: ${committed} is over 300 KB; consider regenerating it or trimming the program`);
      }
      break;
    }
  }
}

async function generateConformance(only) {
  const goroot = execFileSync('go', ['env', 'GOROOT'], { encoding: 'utf8' }).trim();
  const testsDir = join(goroot, 'src', 'internal', 'trace', 'testdata', 'tests');
  const outDir = join(root, 'test', 'conformance', 'traces');
  await mkdir(outDir, { recursive: true });
  for (const file of (await readdir(testsDir)).filter((f) => f.endsWith('.test')).sort()) {
    const name = basename(file, '.test');
    if (only !== undefined && !only.includes(name)) continue;
    const converted = textTrace.convertTestFile(await readFile(join(testsDir, file), 'utf8'));
    const tracePath = join(outDir, `${name}.trace`);
    await writeFile(tracePath, converted.bytes);
    const dump = await writeGolden(tracePath, join(outDir, name));
    const agrees = converted.expect.ok ? dump.error === null : dump.error !== null && new RegExp(converted.expect.pattern).test(dump.error);
    console.log(`conformance ${name}: ${describe(dump, tracePath)}${agrees ? '' : '  <-- oracle disagrees with the expectation'}`);
    if (!agrees) process.exitCode = 1;
  }
}

async function generateFuzzCorpus(only) {
  const goroot = execFileSync('go', ['env', 'GOROOT'], { encoding: 'utf8' }).trim();
  const corpusDir = join(goroot, 'src', 'internal', 'trace', 'testdata', 'fuzz', 'FuzzReader');
  const outDir = join(root, 'test', 'conformance', 'fuzz');
  await mkdir(outDir, { recursive: true });
  for (const name of (await readdir(corpusDir)).sort()) {
    if (only !== undefined && !only.includes(name)) continue;
    const tracePath = join(outDir, `${name}.trace`);
    await writeFile(tracePath, textTrace.parseGoFuzzCorpusFile(await readFile(join(corpusDir, name), 'utf8')));
    const dump = await writeGolden(tracePath, join(outDir, name));
    console.log(`fuzz ${name}: ${describe(dump, tracePath)}`);
  }
}

const args = process.argv.slice(2);
const onlyIndex = args.indexOf('--only');
const only = onlyIndex >= 0 ? (args.splice(onlyIndex, 2)[1] ?? '').split(',') : undefined;
const parts = args.length === 0 ? ['fixtures', 'conformance', 'fuzz'] : args;
for (const part of parts) {
  if (!['fixtures', 'conformance', 'fuzz'].includes(part)) throw new Error(`unknown part ${part}`);
}
await oracle.buildOracle();
if (parts.includes('conformance')) await generateConformance(only);
if (parts.includes('fuzz')) await generateFuzzCorpus(only);
if (parts.includes('fixtures')) await generateFixtures(only);
if (!existsSync(join(root, 'test', 'fixtures', 'traces'))) process.exitCode = 1;
