// The real decode task with one injected fault at one generation, once across all workers
// (setupData.faults is shared memory, so the retry on a replacement worker succeeds), or with
// every MMU hint made wrong ('wrongHints').
let real;

export async function setup(context) {
  real = await import(context.setupData.decodeTaskUrl);
  await real.setup(context);
}

export const handlers = {
  async decodeGeneration(payload, context) {
    const { faultPosition, faultKind, faultTimes = 1 } = context.setupData;
    // Every hint MMU gets calls the mark workers it names ordinary: the merge must catch it and rerun.
    if (faultKind === 'wrongHints' && payload.hints?.mmu) payload = { ...payload, hints: { ...payload.hints, mmu: { ...payload.hints.mmu, markWorkers: [], ordinary: payload.hints.mmu.markWorkers } } };
    const faults = new Int32Array(context.setupData.faults);
    if (faultPosition >= payload.position && faultPosition < payload.position + payload.generations.length && Atomics.add(faults, 0, 1) < faultTimes) {
      if (faultKind === 'exit') process.exit(5);
      if (faultKind === 'throw') {
        setImmediate(() => {
          throw new Error('injected uncaught error');
        });
        return new Promise(() => {});
      }
      if (faultKind === 'hang') {
        const until = Date.now() + 60_000;
        while (Date.now() < until) {
          // hangs synchronously, like a decoder stuck in WASM
        }
      }
    }
    return real.handlers.decodeGeneration(payload, context);
  },
};
