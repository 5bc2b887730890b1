// What a recorded GODEBUG log was recorded from: a hash of its program's sources (its main.go and
// the shared harness). record-logs.mjs writes them to logs/sources.json; recorded-logs.test.ts
// fails when a program changed since its log was recorded.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'diagnose');

function goFiles(dir) {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? goFiles(join(dir, e.name)) : e.name.endsWith('.go') ? [join(dir, e.name)] : []))
    .sort();
}

/** program name → sha256 of its sources and the harness. */
export function sourceHashes(programs) {
  const harness = goFiles(join(FIXTURES, 'internal'));
  return Object.fromEntries(
    programs.map((name) => {
      const hash = createHash('sha256');
      for (const file of [...goFiles(join(FIXTURES, name)), ...harness, join(FIXTURES, 'go.mod')]) hash.update(file.slice(FIXTURES.length)).update('\0').update(readFileSync(file)).update('\0');
      return [name, hash.digest('hex')];
    }),
  );
}
