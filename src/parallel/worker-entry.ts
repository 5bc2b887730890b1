// Runs inside each pool worker: pin, set the memory policy, touch the scratch buffer, set up the task
// module (e.g. instantiate the WASM decoder) and only then report ready; then run tasks one at a time.
import { parentPort, workerData } from 'node:worker_threads';
import * as nativeLayer from '../native/index.js';
import { TransferringResult, type FromWorker, type SerializedError, type TaskModule, type ToWorker, type WorkerBootData, type WorkerContext } from './protocol.js';

const boot = workerData as WorkerBootData;
const port = parentPort!;

function post(message: FromWorker, transfer: ArrayBuffer[] = []): void {
  port.postMessage(message, transfer);
}

function serialize(error: unknown): SerializedError {
  if (error instanceof Error) {
    const fields: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(error)) {
      if (['string', 'number', 'boolean'].includes(typeof value)) fields[key] = value;
      else if (typeof value === 'bigint') fields[key] = value.toString();
    }
    return { name: error.name, message: error.message, fields };
  }
  return { name: 'Error', message: String(error), fields: {} };
}

/** Writes one byte per page so the pages are faulted in now, under this thread's memory policy. */
function touch(bytes: Uint8Array): void {
  for (let i = 0; i < bytes.length; i += 4096) bytes[i] = 0;
}

async function start(): Promise<{ module: TaskModule; context: WorkerContext }> {
  let pinningProblem: string | null = null;
  let memoryPolicy = 'default (not requested)';
  const { cpus, memoryNode } = boot.placement;
  if (cpus !== null) {
    try {
      nativeLayer.setAffinity(cpus);
    } catch (error) {
      pinningProblem = `${(error as Error).name}: ${(error as Error).message}`;
    }
  }
  if (memoryNode !== null) {
    try {
      nativeLayer.setMemoryPolicy({ mode: 'bind', nodes: [memoryNode] });
      memoryPolicy = `bind:${memoryNode}`;
    } catch (error) {
      // Containers without CAP_SYS_NICE refuse set_mempolicy; placement still holds for CPUs.
      memoryPolicy = `default (${(error as Error).name}: ${(error as Error).message})`;
    }
  }
  let scratch = new Uint8Array(boot.scratchBytes);
  touch(scratch);
  const context: WorkerContext = {
    workerIndex: boot.workerIndex,
    scratch,
    setupData: boot.setupData,
    state: new Map(),
    ensureScratch(bytes: number): Uint8Array {
      if (scratch.length < bytes) {
        scratch = new Uint8Array(bytes);
        touch(scratch);
        context.scratch = scratch;
      }
      return scratch;
    },
  };
  const module = (await import(boot.taskModuleUrl)) as TaskModule;
  if (typeof module.handlers !== 'object' || module.handlers === null) {
    throw new TypeError(`task module ${boot.taskModuleUrl} exports no handlers object`);
  }
  await module.setup?.(context);
  post({
    type: 'ready',
    info: {
      workerIndex: boot.workerIndex,
      tid: nativeLayer.getThreadId(),
      affinity: nativeLayer.getAffinity(),
      memoryPolicy,
      pinningProblem,
      scratchBytes: scratch.length,
    },
  });
  return { module, context };
}

start().then(
  ({ module, context }) => {
    // Tasks run strictly one after another: a queue inside the worker keeps 'started' truthful.
    let chain = Promise.resolve();
    port.on('message', (message: ToWorker) => {
      if (message.type !== 'task') return;
      chain = chain.then(async () => {
        post({ type: 'started', id: message.id });
        const handler = module.handlers[message.name];
        try {
          if (handler === undefined) {
            throw Object.assign(new Error(`no handler named ${JSON.stringify(message.name)}`), { name: 'UnknownTaskError' });
          }
          const value = await handler(message.payload, context);
          if (value instanceof TransferringResult) post({ type: 'done', id: message.id, ok: true, value: value.value }, value.transfer);
          else post({ type: 'done', id: message.id, ok: true, value });
        } catch (error) {
          post({ type: 'done', id: message.id, ok: false, error: serialize(error) });
        }
      });
    });
  },
  (error: unknown) => {
    post({ type: 'startup-error', error: serialize(error) });
  },
);
