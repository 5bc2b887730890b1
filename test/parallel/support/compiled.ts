// Worker threads run plain JavaScript, not the TypeScript vitest transforms. This transpiles all of
// src/ (no type check: `npm run typecheck` does that) into test/.generated/parallel-<hash>/src/, with
// build/ linked beside it so the decoder finds ../../build/decoder.wasm exactly as from dist/. The
// main thread runs src/ through vitest; workers run the same sources compiled here.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const sourceRoot = join(repoRoot, 'src');

function listSources(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listSources(full));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) out.push(full);
  }
  return out.sort();
}

let cached: string | null = null;

/** Folder holding the compiled src/ tree (as a directory path). */
export function compiledSourceRoot(): string {
  if (cached !== null) return cached;
  const files = listSources(sourceRoot).map((f) => [relative(sourceRoot, f), readFileSync(f, 'utf8')] as const);
  const hash = createHash('sha256');
  for (const [name, text] of files) hash.update(name).update('\0').update(text).update('\0');
  const outDir = join(repoRoot, 'test', '.generated', `parallel-${hash.digest('hex').slice(0, 16)}`);
  if (!existsSync(outDir)) {
    // Test files run in parallel processes: build privately, then rename into place.
    const temp = `${outDir}.${process.pid}.tmp`;
    rmSync(temp, { recursive: true, force: true });
    for (const [name, text] of files) {
      const target = join(temp, 'src', name.replace(/\.ts$/, '.js'));
      mkdirSync(dirname(target), { recursive: true });
      const output = ts.transpileModule(text, {
        compilerOptions: { module: ts.ModuleKind.ES2022, target: ts.ScriptTarget.ES2022 },
        fileName: name,
      });
      writeFileSync(target, output.outputText);
    }
    symlinkSync(join(repoRoot, 'build'), join(temp, 'build'));
    try {
      renameSync(temp, outDir);
    } catch (error) {
      rmSync(temp, { recursive: true, force: true });
      if (!existsSync(outDir)) throw error;
    }
  }
  cached = join(outDir, 'src');
  return cached;
}

export function compiledUrl(relativePath: string): string {
  return pathToFileURL(join(compiledSourceRoot(), relativePath)).href;
}

export function parallelModules(): { workerEntry: string; decodeTask: string } {
  return { workerEntry: compiledUrl('parallel/worker-entry.js'), decodeTask: compiledUrl('parallel/decode-task.js') };
}

export const testTaskModule = pathToFileURL(join(repoRoot, 'test', 'parallel', 'workers', 'test-tasks.mjs')).href;
export const faultyDecodeModule = pathToFileURL(join(repoRoot, 'test', 'parallel', 'workers', 'faulty-decode.mjs')).href;

/**
 * Resolves once the process is back to at most `limit` threads. A terminated worker's OS thread can
 * outlive the 'exit' event by a moment; a thread that is really left behind never goes away and
 * this rejects after `ms`.
 */
export async function threadsSettleTo(limit: number, ms = 3000): Promise<number> {
  const until = Date.now() + ms;
  for (;;) {
    const count = processThreadCount();
    if (count <= limit || Date.now() > until) return count;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** OS threads of this process right now. */
export function processThreadCount(): number {
  return readdirSync('/proc/self/task').length;
}
