// The committed fixture traces (test/analysis/data/*.trace), produced by the programs in
// test/analysis/fixtures/<name>/main.go with:
//   go build -o /tmp/fx ./<name> && GODEBUG=traceadvanceperiod=<ns> /tmp/fx <name>.trace
// (mixed and gcidle: 20 ms generations, gcheavy: 10 ms, schedlat and locked: default) so the merge tests
// have several generations to split.
import { join } from 'node:path';
import type { EventView } from '../../../src/analysis/events.js';
import { buildGoEvents, goEventViews } from './go-events.js';

export const DATA = join(import.meta.dirname, '..', 'data');
export const FIXTURES = ['mixed', 'gcheavy', 'schedlat', 'locked', 'gcidle'] as const;
export type FixtureName = (typeof FIXTURES)[number];

export function tracePath(name: FixtureName): string {
  return join(DATA, `${name}.trace`);
}

let binary: string | undefined;
const cache = new Map<string, EventView[][]>();

/** Go's reading of a fixture (golang.org/x/exp/trace), per generation. */
export function goGenerations(name: FixtureName): EventView[][] {
  binary ??= buildGoEvents();
  let gens = cache.get(name);
  if (gens === undefined) cache.set(name, (gens = goEventViews(binary, tracePath(name))));
  return gens;
}
