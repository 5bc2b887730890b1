#!/usr/bin/env node
// Builds what `npm install` must leave behind: the WASM decoder, the compiled TypeScript, and
// (optionally) the native addon. `node scripts/build.mjs [wasm|ts|native]...` builds a subset.
// The native step never fails the install: the library runs without the addon and says why.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const requested = process.argv.slice(2);
const steps = requested.length > 0 ? requested : ['wasm', 'ts', 'native'];

function run(label, command, args) {
  process.stderr.write(`schedscope build: ${label}\n`);
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
  if (result.error) throw result.error;
  return result.status === 0;
}

function bin(name) {
  return join(root, 'node_modules', '.bin', name);
}

// A consumer installing a published package has no devDependencies; the package ships the built
// artefacts, so a missing compiler only means "use what is already there".
function ensure(label, tool, artefact, args) {
  if (!existsSync(bin(tool))) {
    if (existsSync(join(root, artefact))) return;
    throw new Error(`${label}: ${tool} is not installed and ${artefact} is missing`);
  }
  if (!run(label, bin(tool), args)) throw new Error(`${label} failed`);
}

for (const step of steps) {
  if (step === 'wasm') {
    ensure('WASM decoder (AssemblyScript)', 'asc', 'build/decoder.wasm', ['assembly/index.ts', '--target', 'release']);
  } else if (step === 'ts') {
    ensure('TypeScript', 'tsc', 'dist/index.js', ['-p', 'tsconfig.json']);
  } else if (step === 'native') {
    const script = join(root, 'scripts', 'build-native.mjs');
    if (existsSync(script)) run('native addon', process.execPath, [script]);
  } else {
    throw new Error(`unknown build step ${step}`);
  }
}
