// Task module for pool tests: well-behaved and misbehaving handlers.
// setupData.faults (a SharedArrayBuffer-backed Int32Array) counts injected faults across workers, so
// "fail once" survives the worker being replaced.
let nativeLayer;

export async function setup(context) {
  nativeLayer = await import(context.setupData.nativeUrl);
  if (context.setupData?.failSetup) throw new Error('setup refused on purpose');
}

function faultsOf(context) {
  return new Int32Array(context.setupData.faults);
}

export const handlers = {
  echo: (payload) => payload,
  sleep: (ms) => new Promise((resolve) => setTimeout(() => resolve(ms), ms)),
  whoami: (_payload, context) => ({ worker: context.workerIndex, tid: nativeLayer.getThreadId(), affinity: nativeLayer.getAffinity() }),
  throwInHandler: () => {
    throw Object.assign(new RangeError('bad input on purpose'), { generation: 7 });
  },
  // Dies the first `times` calls (across workers), then answers.
  crashOnce: (payload, context) => {
    const faults = faultsOf(context);
    if (Atomics.add(faults, 0, 1) < payload.times) {
      setImmediate(() => {
        throw new Error('uncaught on purpose');
      });
      return new Promise(() => {});
    }
    return 'survived';
  },
  exitOnce: (payload, context) => {
    const faults = faultsOf(context);
    if (Atomics.add(faults, 1, 1) < payload.times) process.exit(3);
    return 'survived';
  },
  hangOnce: (payload, context) => {
    const faults = faultsOf(context);
    if (Atomics.add(faults, 2, 1) < payload.times) {
      const until = Date.now() + 60_000;
      while (Date.now() < until) {
        // a synchronous hang: only terminate() stops it
      }
    }
    return 'survived';
  },
  alwaysExit: () => process.exit(4),
};
