// Writes a trace as Chrome trace-event JSON, the format Perfetto (ui.perfetto.dev) and
// chrome://tracing open, streaming: one pass over the events, nothing kept per event but what is
// still open (running goroutines, syscalls, ranges, tasks, regions). Laid out like `go tool trace`'s
// own viewer: a track per P with the goroutines that ran on it, a track per thread with the syscalls
// made on it, the runtime's ranges (GC phases, stop-the-world pauses, sweeps, mark assists) and
// user tasks and regions as async slices (they need not nest inside the goroutine slices), logs as
// instants, and counters for the heap and for goroutine and syscall counts.
import type { EventKindName } from '../model/columns.js';
import type { Event, StateTransition } from '../model/event.js';
import { openTrace, type TraceSource } from '../trace.js';

export interface PerfettoOptions {
  /**
   * Goroutine counts (running, runnable, in syscalls) change at nearly every event; a sample is
   * written when they changed and at least this long after the previous sample (default 100 µs; 0
   * writes every change). The heap counters are written at every metric event.
   */
  counterIntervalNs?: number;
  maxGenerationBytes?: number;
  signal?: AbortSignal;
  onProgress?: (bytesRead: number) => void;
}

export interface PerfettoSummary {
  /** Events read from the trace. */
  events: number;
  /** Goroutine running slices written (one per stretch a goroutine ran on a P). */
  goroutineSlices: number;
  /** Syscall slices written (one per stretch a goroutine spent in a syscall, on its thread). */
  syscallSlices: number;
  /** Runtime ranges written (GC phases, stop-the-world pauses, sweeps, mark assists), then user tasks and regions. */
  ranges: number;
  tasks: number;
  regions: number;
  logs: number;
  counterSamples: number;
  /** Bytes of JSON written. */
  bytes: number;
}

/** The processes of the output, as Perfetto lists them. */
const PROCS_PID = 1;
const THREADS_PID = 2;
const RUNTIME_PID = 3;
const USER_PID = 4;

/** Collects the JSON text; the loop flushes it in large writes, waiting for the destination to drain. */
class JsonSink {
  private pending: string[] = [];
  private pendingLength = 0;
  bytes = 0;
  private first = true;

  constructor(private readonly out: NodeJS.WritableStream) {}

  get full(): boolean {
    return this.pendingLength >= 1 << 16;
  }

  /** A record (JSON.stringify'd: for the rare ones). */
  event(record: object): void {
    this.line(JSON.stringify(record));
  }

  /** A record already written as JSON text. */
  line(json: string): void {
    const text = this.first ? '\n' + json : ',\n' + json;
    this.first = false;
    this.pending.push(text);
    this.pendingLength += text.length;
  }

  raw(text: string): void {
    this.pending.push(text);
    this.pendingLength += text.length;
  }

  async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    // Encoded once here (writing the string would encode it again after a byteLength pass).
    const chunk = Buffer.from(this.pending.join(''), 'utf8');
    this.pending = [];
    this.pendingLength = 0;
    this.bytes += chunk.length;
    if (!this.out.write(chunk)) await new Promise<void>((resolve) => this.out.once('drain', resolve));
  }
}

/** Microseconds (the format's unit) since `origin`, from ns, exact to the ns. */
const micros = (ns: number, origin: number): number => Math.round(ns - origin) / 1000;

interface OpenSlice {
  goroutine: number;
  start: number;
}

/**
 * Writes the trace at `source` to `out` as Chrome trace-event JSON (the stream is left open).
 * Resolves to what was written; rejects with the decoder's typed errors (TraceFormatError).
 */
export async function exportPerfetto(source: TraceSource, out: NodeJS.WritableStream, options: PerfettoOptions = {}): Promise<PerfettoSummary> {
  const interval = options.counterIntervalNs ?? 100_000;
  const trace = await openTrace(source, {
    ...(options.maxGenerationBytes !== undefined ? { maxGenerationBytes: options.maxGenerationBytes } : {}),
    ...(options.signal !== undefined ? { signal: options.signal } : {}),
    ...(options.onProgress !== undefined ? { onProgress: (p) => options.onProgress!(p.bytesRead) } : {}),
  });
  const sink = new JsonSink(out);
  const summary: PerfettoSummary = { events: 0, goroutineSlices: 0, syscallSlices: 0, ranges: 0, tasks: 0, regions: 0, logs: 0, counterSamples: 0, bytes: 0 };
  sink.raw('{"displayTimeUnit":"ns","traceEvents":[');
  for (const [pid, name] of [
    [PROCS_PID, 'Ps'],
    [THREADS_PID, 'Threads in syscalls'],
    [RUNTIME_PID, 'Runtime'],
    [USER_PID, 'User annotations'],
  ] as const) {
    sink.event({ ph: 'M', pid, name: 'process_name', args: { name } });
    sink.event({ ph: 'M', pid, name: 'process_sort_index', args: { sort_index: pid } });
  }

  let origin = NaN;
  let last = 0;
  const running = new Map<number, OpenSlice>();
  const procsNamed = new Set<number>();
  /** Goroutines in a syscall: the thread it began on (its track) and when. */
  const inSyscall = new Map<number, { thread: number; start: number }>();
  const threadsNamed = new Set<number>();
  /** Start function of each goroutine that has one (from its creation or status stack), as a JSON string. */
  const names = new Map<number, string>();
  /** Open async slices by "cat\0id", as a stack of names (ranges of one scope nest). */
  const open = new Map<string, string[]>();
  const counts = { running: 0, runnable: 0, syscall: 0 };
  let countsChanged = false;
  let lastSample = -Infinity;

  /** JSON strings of the names, categories and ids written, made once each (a trace repeats them millions of times). */
  const quoted = new Map<string, string>();
  const quote = (text: string): string => {
    let json = quoted.get(text);
    if (json === undefined) {
      json = JSON.stringify(text);
      // Ids are per goroutine or task: keep the cache to the few strings that repeat.
      if (quoted.size < 65_536) quoted.set(text, json);
    }
    return json;
  };
  /** An async begin ("b") or end ("e") record; slices of one (cat, id) pair up in order. */
  const asyncLine = (ph: 'b' | 'e', cat: string, id: string, name: string, t: number, pid: number, args?: object) => {
    sink.line(`{"ph":"${ph}","cat":${quote(cat)},"id":${quote(id)},"name":${quote(name)},"pid":${pid},"ts":${micros(t, origin)}${args ? `,"args":${JSON.stringify(args)}` : ''}}`);
  };
  const beginAsync = (cat: string, id: string, name: string, t: number, pid: number, args?: object) => {
    const key = `${cat}\u0000${id}`;
    let stack = open.get(key);
    if (stack === undefined) open.set(key, (stack = []));
    stack.push(name);
    asyncLine('b', cat, id, name, t, pid, args);
  };
  /** Ends the innermost open slice of (cat, id); false (nothing written) if none is open. */
  const endAsync = (cat: string, id: string, t: number, pid: number, args?: object): boolean => {
    const key = `${cat}\u0000${id}`;
    const stack = open.get(key);
    const name = stack?.pop();
    if (name === undefined) return false;
    if (stack!.length === 0) open.delete(key);
    asyncLine('e', cat, id, name, t, pid, args);
    return true;
  };

  /**
   * A goroutine's complete slice on a track (a P's while it ran, a thread's while in a syscall).
   * The commonest records by far: written by hand (JSON.stringify of an object per slice was most of the time).
   */
  const goroutineSlice = (pid: number, tid: number, cat: 'goroutine' | 'syscall', g: number, start: number, t: number, end: string) => {
    const name = names.get(g) ?? `"G${g}"`;
    sink.line(`{"ph":"X","pid":${pid},"tid":${tid},"name":${name},"cat":"${cat}","ts":${micros(start, origin)},"dur":${micros(t, start)},"args":{"goroutine":${g},"end":${quote(end)}}}`);
  };

  const endSlice = (proc: number, t: number, end: string) => {
    const slice = running.get(proc);
    if (slice === undefined) return;
    running.delete(proc);
    summary.goroutineSlices++;
    goroutineSlice(PROCS_PID, proc, 'goroutine', slice.goroutine, slice.start, t, end);
  };

  const endSyscall = (g: number, t: number, end: string) => {
    const syscall = inSyscall.get(g);
    if (syscall === undefined) return;
    inSyscall.delete(g);
    summary.syscallSlices++;
    goroutineSlice(THREADS_PID, syscall.thread, 'syscall', g, syscall.start, t, end);
  };

  const goroutineTransition = (e: Event, transition: StateTransition) => {
    const g = transition.resource.id;
    const { from, to } = transition;
    if (from === to) return;
    if (!names.has(g)) {
      // The outermost frame of the new goroutine's stack (creation, or a restated status).
      const frames = transition.stack?.frames;
      if (frames !== undefined && frames.length > 0) names.set(g, JSON.stringify(frames[frames.length - 1]!.func));
    }
    countsChanged = true;
    adjust(counts, from, -1);
    adjust(counts, to, 1);
    // Syscalls on their thread's track: the thread count of a syscall storm, seen.
    if (from === 'Syscall') endSyscall(g, e.time, to);
    if (to === 'Syscall') {
      const thread = e.thread;
      inSyscall.set(g, { thread, start: e.time });
      if (!threadsNamed.has(thread)) {
        threadsNamed.add(thread);
        sink.event({ ph: 'M', pid: THREADS_PID, tid: thread, name: 'thread_name', args: { name: thread < 0 ? 'no thread' : `M${thread}` } });
      }
    }
    if (e.proc < 0) {
      if (to === 'NotExist') names.delete(g);
      return;
    }
    if (to === 'Running') {
      // As the Ps analysis counts: a P runs one goroutine; a start on a busy P starts anew.
      running.delete(e.proc);
      running.set(e.proc, { goroutine: g, start: e.time });
      if (!procsNamed.has(e.proc)) {
        procsNamed.add(e.proc);
        sink.event({ ph: 'M', pid: PROCS_PID, tid: e.proc, name: 'thread_name', args: { name: `P${e.proc}` } });
        sink.event({ ph: 'M', pid: PROCS_PID, tid: e.proc, name: 'thread_sort_index', args: { sort_index: e.proc } });
      }
    } else if (from === 'Running') {
      endSlice(e.proc, e.time, transition.reason === '' ? to : `${to} (${transition.reason})`);
    }
    // Kept per live goroutine only: a trace may create millions.
    if (to === 'NotExist') names.delete(g);
  };

  const sampleCounts = (t: number) => {
    if (!countsChanged || t - lastSample < interval) return;
    countsChanged = false;
    lastSample = t;
    summary.counterSamples++;
    const ts = micros(t, origin);
    sink.line(`{"ph":"C","pid":${RUNTIME_PID},"name":"Goroutines","ts":${ts},"args":{"running":${counts.running},"runnable":${counts.runnable}}}`);
    sink.line(`{"ph":"C","pid":${RUNTIME_PID},"name":"Goroutines in syscalls","ts":${ts},"args":{"syscall":${counts.syscall}}}`);
  };

  for await (const batch of trace.batches()) {
    for (const e of batch) {
      summary.events++;
      if (Number.isNaN(origin)) origin = e.time;
      last = e.time;
      const kind: EventKindName = e.kind;
      switch (kind) {
        case 'StateTransition': {
          const transition = e.transition!;
          if (transition.resource.kind === 'Goroutine') {
            goroutineTransition(e, transition);
            sampleCounts(e.time);
          }
          break;
        }
        case 'RangeBegin':
        case 'RangeActive':
        case 'RangeEnd': {
          const range = e.range!;
          const { cat, id } = rangeTrack(range.name, range.scope);
          if (kind === 'RangeEnd') {
            const attributes = Object.fromEntries(range.attributes.map((a) => [a.name, Number(a.value)]));
            if (endAsync(cat, id, e.time, RUNTIME_PID, range.attributes.length > 0 ? attributes : undefined)) summary.ranges++;
          } else if (kind === 'RangeBegin') {
            beginAsync(cat, id, range.name, e.time, RUNTIME_PID);
          } else if (!(open.get(`${cat}\u0000${id}`)?.includes(range.name) ?? false)) {
            // RangeActive restates, at each generation, a range still open: a slice only if it
            // began before the trace (or the cut) did.
            beginAsync(cat, id, range.name, e.time, RUNTIME_PID, { begunBefore: true });
          }
          break;
        }
        case 'TaskBegin':
          beginAsync('task', `task${e.task!.id}`, e.task!.type, e.time, USER_PID, { task: String(e.task!.id), parent: String(e.task!.parent) });
          break;
        case 'TaskEnd':
          if (endAsync('task', `task${e.task!.id}`, e.time, USER_PID)) summary.tasks++;
          break;
        case 'RegionBegin':
          beginAsync('region', `G${e.goroutine}`, e.region!.type, e.time, USER_PID, { goroutine: e.goroutine, task: String(e.region!.task) });
          break;
        case 'RegionEnd':
          if (endAsync('region', `G${e.goroutine}`, e.time, USER_PID)) summary.regions++;
          break;
        case 'Log': {
          const log = e.log!;
          summary.logs++;
          sink.event({ ph: 'i', s: 'p', pid: USER_PID, tid: 0, name: log.category === '' ? 'log' : log.category, ts: micros(e.time, origin), args: { message: log.message, task: String(log.task), goroutine: e.goroutine } });
          break;
        }
        case 'Metric': {
          const metric = e.metric!;
          const counter = METRIC_COUNTERS[metric.name];
          if (counter !== undefined) {
            summary.counterSamples++;
            sink.line(`{"ph":"C","pid":${RUNTIME_PID},"name":"${counter[0]}","ts":${micros(e.time, origin)},"args":{"${counter[1]}":${metric.value}}}`);
          }
          break;
        }
        default:
          break;
      }
      if (sink.full) await sink.flush();
    }
  }
  // What is still open ends with the trace, as the analyses count it.
  for (const proc of [...running.keys()]) endSlice(proc, last, 'trace ended');
  for (const g of [...inSyscall.keys()]) endSyscall(g, last, 'trace ended');
  for (const [key, stack] of [...open]) {
    const [cat, id] = key.split('\u0000') as [string, string];
    const pid = cat === 'task' || cat === 'region' ? USER_PID : RUNTIME_PID;
    while (stack.length > 0) endAsync(cat, id, last, pid, { endedWithTrace: true });
  }
  if (countsChanged) {
    lastSample = -Infinity;
    sampleCounts(last);
  }
  sink.raw('\n]}\n');
  await sink.flush();
  summary.bytes = sink.bytes;
  return summary;
}

/** Counter track and series of the metrics shown. */
const METRIC_COUNTERS: Record<string, [string, string]> = {
  '/memory/classes/heap/objects:bytes': ['Heap', 'allocated'],
  '/gc/heap/goal:bytes': ['Heap goal', 'goal'],
  '/sched/gomaxprocs:threads': ['GOMAXPROCS', 'procs'],
};

function adjust(counts: { running: number; runnable: number; syscall: number }, state: string, by: number): void {
  if (state === 'Running') counts.running += by;
  else if (state === 'Runnable') counts.runnable += by;
  else if (state === 'Syscall') counts.syscall += by;
}

/**
 * The async track of a range (category and id): stop-the-world pauses on one track (they never
 * overlap, whichever goroutine stops the world), the others by name and scope (a P's sweeps, a
 * goroutine's assists, the GC's phases).
 */
function rangeTrack(name: string, scope: { kind: string; id: number }): { cat: string; id: string } {
  if (name.startsWith('stop-the-world')) return { cat: 'stop-the-world', id: 'stw' };
  if (scope.kind === 'Proc') return { cat: name, id: `P${scope.id}` };
  if (scope.kind === 'Goroutine') return { cat: name, id: `G${scope.id}` };
  return { cat: name, id: 'global' };
}
