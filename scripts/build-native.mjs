#!/usr/bin/env node
// Builds the native addon: cmake-js first (offline: package.json "binary.napi_versions" makes it
// compile against the node-api-headers package), then node-gyp with an explicit --nodedir. If both
// fail it prints one warning line and exits 0: the library works without the addon and says why.
//
//   node scripts/build-native.mjs            release build → native/build/cmake/Release/schedscope_native.node
//   node scripts/build-native.mjs --asan     AddressSanitizer + UBSan build → native/build/asan/Debug/schedscope_native.node
//   SCHEDSCOPE_SKIP_NATIVE=1                 do nothing
//   SCHEDSCOPE_NATIVE_BUILDER=node-gyp       skip cmake-js (or =cmake-js to skip node-gyp)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const asan = process.argv.includes('--asan');
const logDir = join(root, 'native', 'build');

function warn(message) {
  process.stderr.write(`schedscope: ${message}\n`);
}

if (process.env.SCHEDSCOPE_SKIP_NATIVE === '1') {
  warn('native addon skipped (SCHEDSCOPE_SKIP_NATIVE=1); the TypeScript fallback is used (no pinning, no memory policy)');
  process.exit(0);
}
if (process.platform !== 'linux') {
  warn(`native addon not built: it is Linux-only and this is ${process.platform}; the TypeScript fallback is used`);
  process.exit(0);
}

// Runs a tool with its output captured to a log; returns a one-line reason on failure, or null.
function run(label, command, args, logName) {
  mkdirSync(logDir, { recursive: true });
  const log = join(logDir, logName);
  const result = spawnSync(command, args, { cwd: root, encoding: 'utf8', maxBuffer: 64 << 20, env: process.env });
  writeFileSync(log, `$ ${command} ${args.join(' ')}\n${result.stdout ?? ''}${result.stderr ?? ''}${result.error ? String(result.error) : ''}`);
  if (result.error) return `${label}: ${result.error.message}`;
  if (result.status !== 0) {
    const output = `${result.stdout ?? ''}\n${result.stderr ?? ''}`;
    const firstError = output.split('\n').find((line) => /error|not found|ERR!/i.test(line));
    return `${label} exited with ${result.status}${firstError ? `: ${firstError.trim().slice(0, 160)}` : ''} (log: ${log})`;
  }
  return null;
}

function buildWithCmakeJs() {
  const cli = join(root, 'node_modules', 'cmake-js', 'bin', 'cmake-js');
  if (!existsSync(cli)) return 'cmake-js is not installed (a devDependency)';
  const out = join('native', 'build', asan ? 'asan' : 'cmake');
  // A failed build must not leave an older addon behind for the loader to pick up as if current.
  rmSync(join(root, out, asan ? 'Debug' : 'Release', 'schedscope_native.node'), { force: true });
  const args = [cli, 'rebuild', '--out', out, '--log-level', 'warn', '--parallel', '2'];
  if (asan) args.push('--debug', '--CDSCHEDSCOPE_SANITIZE=ON');
  return run('cmake-js', process.execPath, args, asan ? 'cmake-js-asan.log' : 'cmake-js.log');
}

// npm's own node-gyp, found next to the npm that runs us or next to this node binary.
function findNodeGyp() {
  const candidates = [];
  if (process.env.npm_config_node_gyp) candidates.push(process.env.npm_config_node_gyp);
  if (process.env.npm_execpath) candidates.push(join(dirname(process.env.npm_execpath), '..', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
  candidates.push(join(root, 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
  const prefix = dirname(dirname(realpathSync(process.execPath)));
  candidates.push(join(prefix, 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
  return candidates.find((path) => existsSync(path));
}

// The headers of the running Node: npm's nodedir setting, else the prefix node was installed under.
function findNodeDir() {
  const fromNpm = process.env.npm_config_nodedir;
  if (fromNpm && existsSync(join(fromNpm, 'include', 'node', 'node_api.h'))) return fromNpm;
  const npm = spawnSync('npm', ['config', 'get', 'nodedir'], { encoding: 'utf8' });
  const configured = npm.status === 0 ? npm.stdout.trim() : '';
  if (configured && configured !== 'undefined' && existsSync(join(configured, 'include', 'node', 'node_api.h'))) return configured;
  const prefix = dirname(dirname(realpathSync(process.execPath)));
  if (existsSync(join(prefix, 'include', 'node', 'node_api.h'))) return prefix;
  return undefined;
}

function buildWithNodeGyp() {
  if (asan) return 'node-gyp: not used for sanitizer builds';
  const gyp = findNodeGyp();
  if (!gyp) return 'node-gyp not found (neither npm_config_node_gyp, npm\'s bundled copy, nor node_modules)';
  const nodedir = findNodeDir();
  if (!nodedir) return 'node-gyp: no Node headers on this machine (nodedir) and downloads are not attempted';
  // Drop our previous output only: `node-gyp rebuild` would delete all of build/, which also holds
  // the WASM decoder, so configure + build it is.
  rmSync(join(root, 'build', 'Release', 'schedscope_native.node'), { force: true });
  return run('node-gyp', process.execPath, [gyp, 'configure', 'build', `--nodedir=${nodedir}`, '--jobs=2'], 'node-gyp.log');
}

const builder = process.env.SCHEDSCOPE_NATIVE_BUILDER ?? '';
const cmakeFailure = builder === 'node-gyp' ? 'cmake-js skipped (SCHEDSCOPE_NATIVE_BUILDER=node-gyp)' : buildWithCmakeJs();
if (cmakeFailure === null) {
  const file = join('native', 'build', asan ? 'asan/Debug' : 'cmake/Release', 'schedscope_native.node');
  process.stderr.write(`schedscope: native addon built with cmake-js → ${file}\n`);
  process.exit(0);
}
const gypFailure = builder === 'cmake-js' ? 'node-gyp skipped (SCHEDSCOPE_NATIVE_BUILDER=cmake-js)' : buildWithNodeGyp();
if (gypFailure === null) {
  process.stderr.write(`schedscope: native addon built with node-gyp → build/Release/schedscope_native.node (cmake-js failed: ${cmakeFailure})\n`);
  process.exit(0);
}
warn(
  `WARNING native addon not built — ${cmakeFailure}; ${gypFailure}. schedscope works without it (topology from /sys, no pinning or memory policy); 'npx schedscope topology' shows the status.`,
);
process.exit(0);
