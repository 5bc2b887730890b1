// Worker threads run plain JavaScript, not the TypeScript vitest transforms for the test itself. This
// compiles src/native/*.ts (transpile only, no type check: `npm run typecheck` does that) into
// test/.generated/, inside the package so the loader finds the addon exactly as the library would.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import ts from 'typescript';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const sourceDir = join(repoRoot, 'src', 'native');

/** URL of the compiled src/native/index.js for `import()` inside a worker. */
export function compiledNativeModuleUrl(): string {
  const files = readdirSync(sourceDir).filter((f) => f.endsWith('.ts')).sort();
  const sources = files.map((f) => [f, readFileSync(join(sourceDir, f), 'utf8')] as const);
  const hash = createHash('sha256');
  for (const [name, text] of sources) hash.update(name).update('\0').update(text).update('\0');
  const outDir = join(repoRoot, 'test', '.generated', `native-${hash.digest('hex').slice(0, 16)}`);
  if (!existsSync(outDir)) {
    // Test files run in parallel processes: build in a private folder and rename it into place, so
    // nobody imports a half-written set; if another process won the race its copy is identical.
    const temp = `${outDir}.${process.pid}.tmp`;
    rmSync(temp, { recursive: true, force: true });
    mkdirSync(temp, { recursive: true });
    for (const [name, text] of sources) {
      const output = ts.transpileModule(text, {
        compilerOptions: { module: ts.ModuleKind.ES2022, target: ts.ScriptTarget.ES2022 },
        fileName: name,
      });
      writeFileSync(join(temp, name.replace(/\.ts$/, '.js')), output.outputText);
    }
    try {
      renameSync(temp, outDir);
    } catch (error) {
      rmSync(temp, { recursive: true, force: true });
      if (!existsSync(outDir)) throw error;
    }
  }
  return pathToFileURL(join(outDir, 'index.js')).href;
}

export const workerScript = join(repoRoot, 'test', 'native', 'workers', 'probe.mjs');

/** The addon must load in CI; elsewhere tests that need it are skipped with the loader's reason. */
export const addonRequired = process.env.CI === 'true';

interface WorkerReply<T> {
  ok: boolean;
  result?: T;
  error?: { name: string; message: string };
}

/** Runs one task of workers/probe.mjs in a new worker thread and resolves to its result. */
export function runWorker<T>(task: string, args: object, env?: NodeJS.ProcessEnv): Promise<T> {
  const moduleUrl = compiledNativeModuleUrl();
  return new Promise<T>((resolve, reject) => {
    const worker = new Worker(workerScript, { workerData: { moduleUrl, task, args }, ...(env ? { env } : {}) });
    worker.once('message', (reply: WorkerReply<T>) => {
      if (reply.ok) resolve(reply.result as T);
      else reject(new Error(`${reply.error?.name}: ${reply.error?.message}`));
    });
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (code !== 0) reject(new Error(`worker exited with ${code}`));
    });
  });
}
