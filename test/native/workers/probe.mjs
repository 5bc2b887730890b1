// Runs one task in a worker thread against the compiled src/native module and posts the result.
// Plain JavaScript: worker threads do not get vitest's TypeScript transform.
import { readFileSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';

const api = await import(workerData.moduleUrl);

function errorInfo(error) {
  return { name: error?.name, code: error?.code, syscall: error?.syscall, errno: error?.errno, message: String(error?.message ?? error) };
}

function taskStatus(tid) {
  const text = readFileSync(`/proc/self/task/${tid}/status`, 'latin1');
  return /^Cpus_allowed_list:\s*(.*)$/m.exec(text)?.[1]?.trim();
}

const tasks = {
  // Pin this thread, then spin while sampling the CPU it runs on.
  pin({ cpus, iterations }) {
    const tid = api.getThreadId();
    const applied = api.setAffinity(cpus);
    const seen = new Set();
    let sink = 0;
    for (let i = 0; i < iterations; i++) {
      sink = (sink * 31 + i) | 0;
      if (i % 256 === 0) seen.add(api.getCurrentCpu());
    }
    return { tid, applied, statusList: taskStatus(tid), affinity: api.getAffinity(), seen: [...seen].sort((a, b) => a - b), sink };
  },

  // Bind this thread's memory to `nodes`, read it back, touch fresh memory and ask where it lives.
  memoryPolicy({ nodes }) {
    const tid = api.getThreadId();
    const before = api.getMemoryPolicy();
    try {
      api.setMemoryPolicy({ mode: 'bind', nodes });
    } catch (error) {
      return { tid, before, refused: errorInfo(error) };
    }
    const after = api.getMemoryPolicy();
    // A fresh large ArrayBuffer is an untouched mapping: its pages are placed at first touch, now.
    const buffer = new Uint8Array(8 << 20);
    for (let i = 0; i < buffer.length; i += 4096) buffer[i] = 1;
    let pages = null;
    let pagesError = null;
    try {
      const location = api.locatePages(buffer);
      pages = { byNode: location.byNode, notPresent: location.notPresent, failed: location.failed, pageCount: location.pageCount };
    } catch (error) {
      pagesError = errorInfo(error);
    }
    const numaMaps = readFileSync(`/proc/self/task/${tid}/numa_maps`, 'latin1');
    const bindLines = numaMaps.split('\n').filter((line) => line.includes(`bind:${nodes.join(',')}`)).length;
    api.setMemoryPolicy({ mode: 'preferred', nodes: [nodes[0]] });
    const preferred = api.getMemoryPolicy();
    api.setMemoryPolicy({ mode: 'local' });
    const local = api.getMemoryPolicy();
    api.setMemoryPolicy({ mode: 'default' });
    const reset = api.getMemoryPolicy();
    return { tid, before, after, pages, pagesError, bindLines, preferred, local, reset };
  },

  // Run with SCHEDSCOPE_NATIVE=0 in the worker's env: what still works, and what says why not.
  fallback({ root }) {
    const refusals = {};
    for (const [name, call] of Object.entries({
      setAffinity: () => api.setAffinity([0]),
      getMemoryPolicy: () => api.getMemoryPolicy(),
      setMemoryPolicy: () => api.setMemoryPolicy({ mode: 'local' }),
      locatePages: () => api.locatePages(new Uint8Array(16)),
      nativeTopology: () => api.readTopology({ implementation: 'native' }),
    })) {
      try {
        call();
        refusals[name] = 'no error';
      } catch (error) {
        refusals[name] = errorInfo(error);
      }
    }
    const link = readFileSync('/proc/thread-self/status', 'latin1');
    return {
      status: JSON.parse(JSON.stringify(api.native)),
      tid: api.getThreadId(),
      pidTid: Number(/^Pid:\s*(\d+)$/m.exec(link)[1]),
      cpu: api.getCurrentCpu(),
      affinity: api.getAffinity(),
      topology: api.readTopology({ root }),
      refusals,
    };
  },

  // Changes nothing: what this thread inherited from whoever created it.
  report() {
    return { tid: api.getThreadId(), affinity: api.getAffinity(), policy: api.native.loaded ? api.getMemoryPolicy() : null };
  },

  // Everything at once, for the many-workers test: loading must not race, calls must not crash.
  smoke({ cpus }) {
    const results = {
      loaded: api.native.loaded,
      reason: api.native.reason,
      tid: api.getThreadId(),
      topologyCpus: api.readTopology().allowedCpus,
      parsed: api.parseCpuList('0-3,8'),
      cpu: api.getCurrentCpu(),
    };
    results.applied = api.setAffinity(cpus);
    results.policy = api.getMemoryPolicy();
    const errors = [];
    for (const bad of [[], [-1], [1.5], ['0'], [1 << 21]]) {
      try {
        api.setAffinity(bad);
        errors.push('no error');
      } catch (error) {
        errors.push(error.name);
      }
    }
    results.errors = errors;
    return results;
  },
};

try {
  parentPort.postMessage({ ok: true, result: tasks[workerData.task](workerData.args ?? {}) });
} catch (error) {
  parentPort.postMessage({ ok: false, error: errorInfo(error) });
}
