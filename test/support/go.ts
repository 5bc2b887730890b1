// Tests that need the Go toolchain: in CI they must run, so a missing Go is a failure there;
// on a developer machine without Go they are skipped with a message.
import { spawnSync } from 'node:child_process';

let cached: boolean | undefined;

export function goAvailable(): boolean {
  cached ??= spawnSync('go', ['version'], { encoding: 'utf8' }).status === 0;
  return cached;
}

/** True when the test may proceed; throws in CI when Go is missing; false (skip) elsewhere. */
export function requireGo(): boolean {
  if (goAvailable()) return true;
  if (process.env.CI === 'true') throw new Error('Go toolchain not found, and CI=true: Go-based tests must run in CI');
  console.warn('Go toolchain not found: skipping a test that needs it');
  return false;
}
