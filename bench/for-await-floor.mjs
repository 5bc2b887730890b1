// What one `for await` step costs on this machine, with nothing else in the loop: the floor under
// any async iterator of events (trace.events()), whatever the decoder does.
//   node bench/for-await-floor.mjs [steps]
// Prints per-step ns for three iterators: a hand-written one whose next() returns an already
// resolved promise (what trace.events() is), one returning plain results, and an async generator.
// Compare with Go's reader's ns per event from `npm run bench` (its events/s inverted): if the
// floor alone is above Go's per-event time divided by 1.5, no async iterator of events can be 1.5×.
const steps = Number(process.argv[2] ?? 20_000_000);
const value = { kind: 'x' };

function resolvedPromises() {
  let i = 0;
  const iterator = {
    next: () => Promise.resolve(i++ < steps ? { done: false, value } : { done: true, value: undefined }),
    [Symbol.asyncIterator]: () => iterator,
  };
  return iterator;
}

function plainResults() {
  let i = 0;
  const iterator = {
    next: () => (i++ < steps ? { done: false, value } : { done: true, value: undefined }),
    [Symbol.asyncIterator]: () => iterator,
  };
  return iterator;
}

async function* generator() {
  for (let i = 0; i < steps; i++) yield value;
}

async function nsPerStep(make) {
  const start = performance.now();
  let n = 0;
  for await (const item of make()) n += item.kind.length;
  if (n !== steps) throw new Error('miscounted');
  return ((performance.now() - start) * 1e6) / steps;
}

const results = {};
for (const [name, make] of Object.entries({ resolvedPromises, plainResults, generator })) {
  const runs = [];
  for (let r = 0; r < 3; r++) runs.push(await nsPerStep(make));
  runs.sort((a, b) => a - b);
  results[name] = Number(runs[1].toFixed(1));
}
console.log(JSON.stringify({ steps, nsPerStepMedianOf3: results, node: process.version }));
