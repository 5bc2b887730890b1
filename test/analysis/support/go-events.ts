// Runs the analyzers on Go's own reading of a trace: test/analysis/goevents prints every event as
// golang.org/x/exp/trace reads it (JSON lines) and this adapter serves them as EventViews. It lets
// the analyses be checked against Go independently of schedscope's decoder.
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { EventView, Frame, Kind, ResourceKind } from '../../../src/analysis/events.js';

interface Row {
  k: number;
  t: number;
  g: number;
  p: number;
  m: number;
  s?: number;
  rk?: number;
  rid?: number;
  f?: number;
  to?: number;
  r?: string;
  ts?: number;
  n?: string;
  v?: number;
  tid?: number;
  tp?: number;
  msg?: string;
  sn?: number;
}

const generated = join(import.meta.dirname, '..', '..', '.generated');

export function buildGoEvents(): string {
  mkdirSync(generated, { recursive: true });
  const binary = join(generated, 'goevents');
  const build = spawnSync('go', ['build', '-o', binary, '.'], { cwd: join(import.meta.dirname, '..', 'goevents'), encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`building goevents failed: ${build.stderr}`);
  return binary;
}

class RowsView implements EventView {
  constructor(
    private readonly rows: Row[],
    private readonly stacks: Map<number, Frame[]>,
  ) {}
  get length() {
    return this.rows.length;
  }
  kind(i: number) {
    return this.rows[i]!.k as Kind;
  }
  wireType() {
    return 0;
  }
  encodedSize() {
    return 0;
  }
  time(i: number) {
    return this.rows[i]!.t;
  }
  goroutine(i: number) {
    return this.rows[i]!.g;
  }
  proc(i: number) {
    return this.rows[i]!.p;
  }
  thread(i: number) {
    return this.rows[i]!.m;
  }
  stack(i: number) {
    return this.rows[i]!.s ?? 0;
  }
  frames(id: number) {
    return this.stacks.get(id) ?? [];
  }
  resourceKind(i: number) {
    return (this.rows[i]!.rk ?? 0) as ResourceKind;
  }
  resourceId(i: number) {
    return this.rows[i]!.rid ?? 0;
  }
  fromState(i: number) {
    return this.rows[i]!.f ?? 0;
  }
  toState(i: number) {
    return this.rows[i]!.to ?? 0;
  }
  reason(i: number) {
    return this.rows[i]!.r ?? '';
  }
  transitionStack(i: number) {
    return this.rows[i]!.ts ?? 0;
  }
  rangeName(i: number) {
    return this.rows[i]!.n ?? '';
  }
  rangeScopeKind(i: number) {
    return (this.rows[i]!.rk ?? 0) as ResourceKind;
  }
  rangeScopeId(i: number) {
    return this.rows[i]!.rid ?? 0;
  }
  metricName(i: number) {
    return this.rows[i]!.n ?? '';
  }
  metricValue(i: number) {
    return this.rows[i]!.v ?? 0;
  }
  label(i: number) {
    return this.rows[i]!.n ?? '';
  }
  taskId(i: number) {
    return this.rows[i]!.tid ?? 0;
  }
  taskParent(i: number) {
    return this.rows[i]!.tp ?? 0;
  }
  annotationType(i: number) {
    return this.rows[i]!.n ?? '';
  }
  logMessage(i: number) {
    return this.rows[i]!.msg ?? '';
  }
  syncN(i: number) {
    return this.rows[i]!.sn ?? 0;
  }
}

/**
 * Go's reading of `tracePath`, as EventViews of at most `batchSize` events, one generation per
 * group: `generations[k]` holds the views of the k-th generation (starting at its Sync); the final
 * Sync is the last generation's last event.
 */
export function goEventViews(binary: string, tracePath: string, batchSize = 512): EventView[][] {
  const run = spawnSync(binary, [tracePath], { encoding: 'utf8', maxBuffer: 1 << 30 });
  if (run.status !== 0) throw new Error(`goevents failed: ${run.stderr}`);
  const stacks = new Map<number, Frame[]>();
  const generations: EventView[][] = [];
  let rows: Row[] = [];
  let current: EventView[] | undefined;
  const lines = run.stdout.split('\n');
  const flush = () => {
    if (rows.length > 0 && current) current.push(new RowsView(rows, stacks));
    rows = [];
  };
  let lastIndex = lines.length - 1;
  while (lastIndex > 0 && lines[lastIndex] === '') lastIndex--;
  for (let li = 0; li < lines.length; li++) {
    const line = lines[li]!;
    if (line === '') continue;
    const parsed = JSON.parse(line) as Row & { stack?: number; frames?: Frame[] };
    if (parsed.stack !== undefined) {
      stacks.set(parsed.stack, parsed.frames ?? []);
      continue;
    }
    const isLastLine = li === lastIndex;
    if (parsed.k === 1 && !isLastLine) {
      flush();
      current = [];
      generations.push(current);
    }
    rows.push(parsed);
    if (rows.length >= batchSize) flush();
  }
  flush();
  return generations;
}
