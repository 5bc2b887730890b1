// WorkerPool: pinned worker threads with readiness, least-loaded dispatch, a bounded queue with
// backpressure, AbortSignal cancellation and supervision. Tasks are named handlers of a task module
// (see protocol.ts); the pool knows nothing about traces.
import { stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { Worker, type TransferListItem } from 'node:worker_threads';
import { readTopology } from '../native/index.js';
import type { Topology } from '../native/types.js';
import {
  PoolClosedError,
  PoolOverloadedError,
  PoolUnhealthyError,
  TaskAbortedError,
  TaskFailedError,
  TaskTimeoutError,
  UnknownTaskError,
  WorkerCrashedError,
} from './errors.js';
import { WaitHistogram } from './histogram.js';
import { planPlacement, type PlacementPolicy, type WorkerPlacement } from './placement.js';
import type { FromWorker, ToWorker, WorkerBootData, WorkerReadyInfo } from './protocol.js';

export interface WorkerPoolOptions {
  /** URL of the task module the workers load (compiled JS). */
  taskModule: string | URL;
  /** Number of workers (default: the main thread's available parallelism); fixes min = max. */
  workers?: number;
  /** Dynamic sizing: start with minWorkers, grow to maxWorkers while queue waits stay high. */
  minWorkers?: number;
  maxWorkers?: number;
  /** How often the sizing decision runs (default 250 ms). */
  scaleIntervalMs?: number;
  /** Grow when the window's p90 queue wait exceeds this for 2 ticks in a row (default 50 ms). */
  scaleUpWaitMs?: number;
  /** Shrink by one after this many ticks in a row with an empty queue and an idle worker (default 8). */
  scaleDownIdleTicks?: number;
  placement?: PlacementPolicy;
  /** Topology to plan on (default: readTopology() on the main thread). */
  topology?: Topology;
  /** Tasks waiting for a worker before submit() waits and trySubmit() throws (default workers × 4). */
  queueCapacity?: number;
  /** Tasks handed to one worker at once: 1 running + prefetched (default 2). */
  tasksPerWorker?: number;
  /** A task running longer than this is treated as a hung worker: terminated, replaced, retried. */
  taskTimeoutMs?: number;
  /** Retries after a worker death or timeout (default 1). Handler errors are never retried. */
  maxRetries?: number;
  /** Worker failures in a row (no task completed in between) after which the pool refuses work. */
  unhealthyAfter?: number;
  /** Scratch bytes each worker allocates and touches after pinning. */
  scratchBytes?: number;
  /** Structured-cloneable data for the task module's setup(). */
  setupData?: unknown;
  /** URL of the compiled worker entry (default: worker-entry.js next to this file). */
  workerEntry?: string | URL;
  /** Aborting closes the pool: pending tasks reject, every worker is terminated. */
  signal?: AbortSignal;
}

export interface SubmitOptions {
  signal?: AbortSignal;
  transfer?: readonly TransferListItem[];
  /**
   * Index of the worker to run the task on if it is ready with room when the task is handed out
   * (e.g. the one holding state the task continues from); otherwise the least-loaded worker.
   */
  preferWorker?: number;
}

export interface WorkerMetrics {
  index: number;
  state: 'starting' | 'ready' | 'stopped';
  tid: number | null;
  affinity: number[] | null;
  memoryPolicy: string | null;
  pinningProblem: string | null;
  /** Tasks handed to this worker and not finished (running + prefetched). */
  queueDepth: number;
  busyMs: number;
  tasksDone: number;
  /** Times this slot's worker was replaced. */
  restarts: number;
}

export interface PoolMetrics {
  /** OS threads the pool owns right now (live workers plus ones still being terminated). */
  threads: number;
  queued: number;
  queueCapacity: number;
  workers: WorkerMetrics[];
  queueWaitMs: { count: number; p50: number; p90: number; p99: number };
  consecutiveFailures: number;
  state: 'running' | 'unhealthy' | 'closed';
  scaling: { min: number; max: number; active: number; events: ScaleEvent[] };
}

export interface ScaleEvent {
  direction: 'up' | 'down';
  workers: number;
  /** p90 queue wait (ms) of the window that triggered it. */
  p90WaitMs: number;
}

interface Task {
  id: number;
  name: string;
  payload: unknown;
  transfer: readonly TransferListItem[];
  attempts: number;
  timedOut: number;
  enqueuedAt: number;
  resolve(value: unknown): void;
  reject(error: unknown): void;
  signal: AbortSignal | undefined;
  detachAbort: () => void;
  preferWorker: number | undefined;
}

interface Slot {
  index: number;
  placement: WorkerPlacement;
  worker: Worker | null;
  state: 'starting' | 'ready' | 'stopped';
  info: WorkerReadyInfo | null;
  assigned: Task[];
  running: Task | null;
  runningSince: number;
  timer: ReturnType<typeof setTimeout> | null;
  busyMs: number;
  tasksDone: number;
  restarts: number;
}

let libuvWarm: Promise<unknown> | null = null;

/**
 * libuv's thread pool is created by the first async fs call of the process and inherits the calling
 * thread's CPU mask; doing that call here, on the unpinned main thread, keeps it off workers' CPUs.
 */
export function warmLibuvThreadPool(): Promise<unknown> {
  libuvWarm ??= stat(process.execPath);
  return libuvWarm;
}

function defaultWorkerEntry(): URL {
  const url = new URL('./worker-entry.js', import.meta.url);
  if (import.meta.url.endsWith('.ts')) {
    throw new TypeError('WorkerPool is running from TypeScript sources: pass workerEntry (and a compiled taskModule), e.g. from dist/ after `npm run build:ts`');
  }
  return url;
}

export class WorkerPool {
  readonly placement: readonly WorkerPlacement[];
  readonly queueCapacity: number;
  private readonly slots: Slot[];
  private readonly queue: Task[] = [];
  private readonly spaceWaiters: Array<{ wake: () => void; fail: (e: unknown) => void }> = [];
  private readonly terminating = new Set<Promise<number>>();
  private readonly waits = new WaitHistogram();
  private readonly options: WorkerPoolOptions;
  private readonly entry: URL | string;
  private readonly tasksPerWorker: number;
  private readonly maxRetries: number;
  private readonly unhealthyAfter: number;
  private nextId = 1;
  private consecutiveFailures = 0;
  private lastFailure = '';
  private state: 'running' | 'unhealthy' | 'closed' = 'running';
  private failure: Error | null = null;
  private readyWaiters: Array<{ resolve: () => void; reject: (e: unknown) => void }> = [];
  private readonly minWorkers: number;
  private readonly maxWorkers: number;
  private windowWaits = new WaitHistogram();
  private hotTicks = 0;
  private idleTicks = 0;
  private scaleTimer: ReturnType<typeof setInterval> | null = null;
  private readonly scaleEvents: ScaleEvent[] = [];
  private readonly onPoolAbort = () => void this.close(new PoolClosedError('the pool was aborted'));

  private constructor(options: WorkerPoolOptions) {
    this.options = options;
    const fixed = options.workers ?? (options.maxWorkers === undefined ? availableParallelism() : undefined);
    this.maxWorkers = fixed ?? options.maxWorkers!;
    this.minWorkers = fixed ?? options.minWorkers ?? 1;
    if (!Number.isInteger(this.minWorkers) || this.minWorkers < 1 || this.minWorkers > this.maxWorkers) {
      throw new RangeError(`need 1 ≤ minWorkers ≤ maxWorkers, got ${this.minWorkers}..${this.maxWorkers}`);
    }
    const workers = this.maxWorkers;
    const topology = options.topology ?? (options.placement && options.placement !== 'none' ? readTopology() : null);
    this.placement = topology ? planPlacement(topology, workers, options.placement ?? 'none') : planPlacement({ allowedCpus: [0] } as Topology, workers, 'none');
    this.queueCapacity = options.queueCapacity ?? workers * 4;
    this.tasksPerWorker = options.tasksPerWorker ?? 2;
    this.maxRetries = options.maxRetries ?? 1;
    this.unhealthyAfter = options.unhealthyAfter ?? Math.max(3, 2 * workers);
    if (!Number.isInteger(this.queueCapacity) || this.queueCapacity < 1) throw new RangeError(`queueCapacity must be a positive integer, got ${this.queueCapacity}`);
    if (!Number.isInteger(this.tasksPerWorker) || this.tasksPerWorker < 1) throw new RangeError(`tasksPerWorker must be a positive integer, got ${this.tasksPerWorker}`);
    const entry = options.workerEntry ?? defaultWorkerEntry();
    this.entry = typeof entry === 'string' && entry.startsWith('file:') ? new URL(entry) : entry;
    this.slots = this.placement.map((placement, index) => ({
      index,
      placement,
      worker: null,
      state: 'starting',
      info: null,
      assigned: [],
      running: null,
      runningSince: 0,
      timer: null,
      busyMs: 0,
      tasksDone: 0,
      restarts: -1,
    }));
  }

  /** Creates the pool and resolves once every worker is pinned, set up and ready. */
  static async create(options: WorkerPoolOptions): Promise<WorkerPool> {
    const pool = new WorkerPool(options);
    await warmLibuvThreadPool();
    if (options.signal?.aborted) throw new PoolClosedError('the pool was aborted before it started');
    options.signal?.addEventListener('abort', pool.onPoolAbort, { once: true });
    for (const slot of pool.slots) {
      if (slot.index < pool.minWorkers) pool.spawn(slot);
      else slot.state = 'stopped';
    }
    if (pool.maxWorkers > pool.minWorkers) {
      pool.scaleTimer = setInterval(() => pool.resize(), options.scaleIntervalMs ?? 250);
      pool.scaleTimer.unref();
    }
    try {
      await pool.ready();
    } catch (error) {
      await pool.close();
      throw error;
    }
    return pool;
  }

  /** Resolves when every worker slot is ready (rejects if the pool becomes unhealthy or closes). */
  ready(): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.slots.every((s) => s.state !== 'starting')) return Promise.resolve();
    return new Promise((resolve, reject) => this.readyWaiters.push({ resolve, reject }));
  }

  /**
   * Resolves when the queue has a free place (backpressure for producers that keep the result
   * promises themselves): `await pool.whenQueueHasSpace(); results.push(pool.trySubmit(...))`.
   */
  async whenQueueHasSpace(signal?: AbortSignal): Promise<void> {
    this.throwIfUnusable();
    while (this.queue.length >= this.queueCapacity) {
      await this.waitForSpace(signal);
      this.throwIfUnusable();
    }
  }

  /** Queues a task, waiting for queue space when the queue is full (backpressure). */
  async submit<T = unknown>(name: string, payload: unknown, options: SubmitOptions = {}): Promise<T> {
    this.throwIfUnusable();
    while (this.queue.length >= this.queueCapacity) {
      await this.waitForSpace(options.signal);
      this.throwIfUnusable();
    }
    return this.enqueue(name, payload, options) as Promise<T>;
  }

  /** Queues a task or throws PoolOverloadedError at once when the queue is full. */
  trySubmit<T = unknown>(name: string, payload: unknown, options: SubmitOptions = {}): Promise<T> {
    this.throwIfUnusable();
    if (this.queue.length >= this.queueCapacity) throw new PoolOverloadedError(this.queueCapacity);
    return this.enqueue(name, payload, options) as Promise<T>;
  }

  metrics(): PoolMetrics {
    const now = performance.now();
    return {
      threads: this.slots.filter((s) => s.worker !== null).length + this.terminating.size,
      queued: this.queue.length,
      queueCapacity: this.queueCapacity,
      workers: this.slots.map((s) => ({
        index: s.index,
        state: s.state,
        tid: s.info?.tid ?? null,
        affinity: s.info?.affinity ?? null,
        memoryPolicy: s.info?.memoryPolicy ?? null,
        pinningProblem: s.info?.pinningProblem ?? null,
        queueDepth: s.assigned.length,
        busyMs: s.busyMs + (s.running ? now - s.runningSince : 0),
        tasksDone: s.tasksDone,
        restarts: Math.max(0, s.restarts),
      })),
      queueWaitMs: { count: this.waits.count, p50: this.waits.quantile(0.5), p90: this.waits.quantile(0.9), p99: this.waits.quantile(0.99) },
      consecutiveFailures: this.consecutiveFailures,
      state: this.state,
      scaling: { min: this.minWorkers, max: this.maxWorkers, active: this.slots.filter((s) => s.state !== 'stopped').length, events: [...this.scaleEvents] },
    };
  }

  /** What each worker reported when it became ready (affinity read back inside it, TID, policy). */
  readyInfo(): WorkerReadyInfo[] {
    return this.slots.map((s) => s.info).filter((i): i is WorkerReadyInfo => i !== null);
  }

  /** Rejects every pending task, terminates every worker and resolves when all threads are gone. */
  async close(reason: Error = new PoolClosedError('the pool was closed')): Promise<void> {
    if (this.state !== 'closed') {
      this.state = 'closed';
      this.failure ??= reason;
      this.options.signal?.removeEventListener('abort', this.onPoolAbort);
      this.failEverything(reason);
      this.stopScaling();
      for (const slot of this.slots) this.stopSlot(slot);
    }
    while (this.terminating.size > 0) await Promise.all([...this.terminating]);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  private throwIfUnusable(): void {
    if (this.failure) throw this.failure;
  }

  private waitForSpace(signal: AbortSignal | undefined): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(new TaskAbortedError('the task was aborted while waiting for queue space', { cause: signal.reason }));
      const onAbort = () => {
        const at = this.spaceWaiters.indexOf(waiter);
        if (at >= 0) this.spaceWaiters.splice(at, 1);
        reject(new TaskAbortedError('the task was aborted while waiting for queue space', { cause: signal?.reason }));
      };
      const waiter = {
        wake: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
        fail: (e: unknown) => {
          signal?.removeEventListener('abort', onAbort);
          reject(e);
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.spaceWaiters.push(waiter);
    });
  }

  private enqueue(name: string, payload: unknown, options: SubmitOptions): Promise<unknown> {
    const signal = options.signal;
    if (signal?.aborted) return Promise.reject(new TaskAbortedError('the task was aborted before it was queued', { cause: signal.reason }));
    return new Promise((resolve, reject) => {
      const task: Task = {
        id: this.nextId++,
        name,
        payload,
        transfer: options.transfer ?? [],
        attempts: 0,
        timedOut: 0,
        enqueuedAt: performance.now(),
        resolve,
        reject,
        signal,
        detachAbort: () => {},
        preferWorker: options.preferWorker,
      };
      if (signal) {
        const onAbort = () => this.abortTask(task);
        signal.addEventListener('abort', onAbort, { once: true });
        task.detachAbort = () => signal.removeEventListener('abort', onAbort);
      }
      this.queue.push(task);
      this.pump();
    });
  }

  private settle(task: Task, error: unknown, value?: unknown): void {
    task.detachAbort();
    if (error === undefined) task.resolve(value);
    else task.reject(error);
  }

  private abortTask(task: Task): void {
    const error = new TaskAbortedError('the task was aborted', { cause: task.signal?.reason });
    const queued = this.queue.indexOf(task);
    if (queued >= 0) {
      this.queue.splice(queued, 1);
      this.settle(task, error);
      this.releaseSpace();
      return;
    }
    const slot = this.slots.find((s) => s.assigned.includes(task));
    if (slot === undefined) return;
    // A running task can only be stopped by stopping its thread (WASM does not yield).
    slot.assigned.splice(slot.assigned.indexOf(task), 1);
    if (slot.running === task) slot.running = null;
    this.settle(task, error);
    this.replaceWorker(slot, 'task aborted', false);
  }

  private releaseSpace(): void {
    // Wake only as many waiters as there are free places, so each finds its place still free.
    let free = this.queueCapacity - this.queue.length;
    while (this.spaceWaiters.length > 0 && free-- > 0) this.spaceWaiters.shift()!.wake();
  }

  private pump(): void {
    if (this.state !== 'running') return;
    const hasRoom = (slot: Slot) => slot.state === 'ready' && slot.assigned.length < this.tasksPerWorker;
    while (this.queue.length > 0) {
      const prefer = this.queue[0]!.preferWorker;
      const preferred = prefer === undefined ? undefined : this.slots.find((slot) => slot.index === prefer);
      let best: Slot | null = preferred !== undefined && hasRoom(preferred) ? preferred : null;
      if (best === null) {
        for (const slot of this.slots) {
          if (!hasRoom(slot)) continue;
          if (best === null || slot.assigned.length < best.assigned.length || (slot.assigned.length === best.assigned.length && slot.busyMs < best.busyMs)) best = slot;
        }
      }
      if (best === null) break;
      const task = this.queue.shift()!;
      best.assigned.push(task);
      const message: ToWorker = { type: 'task', id: task.id, name: task.name, payload: task.payload };
      best.worker!.postMessage(message, task.attempts === 0 ? task.transfer : []);
    }
    this.releaseSpace();
  }

  private spawn(slot: Slot): void {
    slot.restarts++;
    slot.state = 'starting';
    slot.info = null;
    const boot: WorkerBootData = {
      workerIndex: slot.index,
      placement: slot.placement,
      taskModuleUrl: String(this.options.taskModule),
      scratchBytes: this.options.scratchBytes ?? 0,
      setupData: this.options.setupData,
    };
    const worker = new Worker(this.entry, { workerData: boot });
    slot.worker = worker;
    worker.on('message', (message: FromWorker) => {
      if (slot.worker === worker) this.onMessage(slot, message);
    });
    worker.on('error', (error: Error) => {
      if (slot.worker === worker) this.replaceWorker(slot, `uncaught ${error.name}: ${error.message}`, true);
    });
    worker.on('exit', (code) => {
      if (slot.worker === worker) this.replaceWorker(slot, `worker exited with code ${code}`, true);
    });
  }

  private onMessage(slot: Slot, message: FromWorker): void {
    switch (message.type) {
      case 'ready':
        slot.state = 'ready';
        slot.info = message.info;
        if (this.slots.every((s) => s.state !== 'starting')) {
          for (const waiter of this.readyWaiters.splice(0)) waiter.resolve();
        }
        this.pump();
        return;
      case 'startup-error':
        this.replaceWorker(slot, `worker failed to start: ${message.error.name}: ${message.error.message}`, true);
        return;
      case 'started': {
        const task = slot.assigned.find((t) => t.id === message.id);
        if (task === undefined) return;
        slot.running = task;
        slot.runningSince = performance.now();
        task.attempts++;
        this.waits.record(slot.runningSince - task.enqueuedAt);
        this.windowWaits.record(slot.runningSince - task.enqueuedAt);
        const timeout = this.options.taskTimeoutMs;
        if (timeout !== undefined) {
          slot.timer = setTimeout(() => {
            task.timedOut++;
            this.replaceWorker(slot, `task ${task.name} exceeded its ${timeout} ms deadline`, true);
          }, timeout);
        }
        return;
      }
      case 'done': {
        const at = slot.assigned.findIndex((t) => t.id === message.id);
        if (at < 0) return;
        const [task] = slot.assigned.splice(at, 1) as [Task];
        if (slot.timer) clearTimeout(slot.timer);
        slot.timer = null;
        if (slot.running === task) {
          slot.busyMs += performance.now() - slot.runningSince;
          slot.running = null;
        }
        slot.tasksDone++;
        // The worker survived the task, so the pool is healthy whatever the handler answered.
        this.consecutiveFailures = 0;
        if (message.ok) this.settle(task, undefined, message.value);
        else if (message.error.name === 'UnknownTaskError') this.settle(task, new UnknownTaskError(message.error.message));
        else this.settle(task, new TaskFailedError(message.error.name, message.error.message, message.error.fields));
        this.pump();
        return;
      }
    }
  }

  private stopSlot(slot: Slot): void {
    if (slot.timer) clearTimeout(slot.timer);
    slot.timer = null;
    slot.state = 'stopped';
    const worker = slot.worker;
    slot.worker = null;
    if (worker) {
      const done = worker.terminate();
      this.terminating.add(done);
      void done.finally(() => this.terminating.delete(done));
    }
  }

  /** Stops the slot's worker, puts its tasks back (or fails them), and starts a replacement. */
  private replaceWorker(slot: Slot, reason: string, isFailure: boolean): void {
    if (slot.worker === null || this.state !== 'running') return;
    if (slot.running) slot.busyMs += performance.now() - slot.runningSince;
    const running = slot.running;
    const tasks = slot.assigned.splice(0);
    slot.running = null;
    this.stopSlot(slot);
    if (isFailure) {
      this.consecutiveFailures++;
      this.lastFailure = reason;
    }
    const requeue: Task[] = [];
    for (const task of tasks) {
      if (task === running && task.attempts > this.maxRetries) {
        const error = task.timedOut === task.attempts && this.options.taskTimeoutMs !== undefined
          ? new TaskTimeoutError(task.attempts, this.options.taskTimeoutMs)
          : new WorkerCrashedError(task.attempts, reason);
        this.settle(task, error);
      } else {
        requeue.push(task);
      }
    }
    this.queue.unshift(...requeue);
    if (this.consecutiveFailures >= this.unhealthyAfter) {
      this.state = 'unhealthy';
      this.failure = new PoolUnhealthyError(this.consecutiveFailures, this.lastFailure);
      this.failEverything(this.failure);
      this.stopScaling();
      for (const other of this.slots) this.stopSlot(other);
      return;
    }
    this.spawn(slot);
  }

  private stopScaling(): void {
    if (this.scaleTimer) clearInterval(this.scaleTimer);
    this.scaleTimer = null;
  }

  /**
   * One sizing decision from the last window's queue-wait p90 (tasks still waiting count as waiting
   * since they were queued). Hysteresis: two hot windows in a row to grow, several idle ones to shrink.
   */
  private resize(): void {
    if (this.state !== 'running') return;
    const now = performance.now();
    for (const task of this.queue) this.windowWaits.record(now - task.enqueuedAt);
    const p90 = this.windowWaits.quantile(0.9);
    this.windowWaits = new WaitHistogram();
    const active = this.slots.filter((s) => s.state !== 'stopped');
    const hot = this.queue.length > 0 && p90 > (this.options.scaleUpWaitMs ?? 50);
    this.hotTicks = hot ? this.hotTicks + 1 : 0;
    const idle = active.find((s) => s.state === 'ready' && s.assigned.length === 0 && s.index >= this.minWorkers);
    this.idleTicks = this.queue.length === 0 && idle !== undefined ? this.idleTicks + 1 : 0;
    if (this.hotTicks >= 2 && active.length < this.maxWorkers) {
      const slot = this.slots.find((s) => s.state === 'stopped')!;
      this.hotTicks = 0;
      this.spawn(slot);
      this.recordScale({ direction: 'up', workers: active.length + 1, p90WaitMs: p90 });
    } else if (idle !== undefined && this.idleTicks >= (this.options.scaleDownIdleTicks ?? 8)) {
      this.idleTicks = 0;
      this.stopSlot(idle);
      this.recordScale({ direction: 'down', workers: active.length - 1, p90WaitMs: p90 });
    }
  }

  private recordScale(event: ScaleEvent): void {
    this.scaleEvents.push(event);
    if (this.scaleEvents.length > 32) this.scaleEvents.shift();
  }

  private failEverything(error: Error): void {
    for (const task of this.queue.splice(0)) this.settle(task, error);
    for (const slot of this.slots) {
      for (const task of slot.assigned.splice(0)) this.settle(task, error);
      slot.running = null;
    }
    for (const waiter of this.spaceWaiters.splice(0)) waiter.fail(error);
    for (const waiter of this.readyWaiters.splice(0)) waiter.reject(error);
  }
}
