// Seed 000 §2: blocking system calls on the request path (cgo DNS) each hold an OS thread, so the
// thread count climbs with load.
import { count, ns } from './format.js';
import { frameNames, severityFor, type DiagnoseRule } from './types.js';
import { peakWindow, windowField } from './window.js';

export const syscallStormRule: DiagnoseRule = {
  id: 'syscall-storm',
  needs: ['metrics', 'profiles', 'goroutines'],
  evaluate(report, t) {
    const metrics = report.metrics;
    if (!metrics) return undefined;
    const procs = Math.max(1, metrics.gomaxprocs.last);
    const threadLimit = Math.max(t.syscallMinThreads, t.syscallThreadsPerProc * procs);
    // Threads alive at once when the report has it: distinct threads over time also count threads
    // that were created and destroyed one after another (thread-churn), which no syscall holds.
    const seen = metrics.threads.seen;
    const threads = metrics.threads.peakAlive ?? seen;
    const concurrent = metrics.threads.maxInSyscall;
    if (threads < threadLimit && concurrent < t.syscallConcurrent) return undefined;
    const profile = report.profiles?.syscall;
    const top = profile?.entries.slice(0, 3) ?? [];
    const groups = (report.goroutines?.groups ?? [])
      .filter((g) => g.syscallNs + g.syscallBlockNs > 0)
      .sort((a, b) => b.syscallNs + b.syscallBlockNs - (a.syscallNs + a.syscallBlockNs))
      .slice(0, 5);
    const ratio = Math.max(threads / threadLimit, concurrent / t.syscallConcurrent);
    const topName = top[0]?.stack[0]?.func;
    return {
      id: this.id,
      title: 'Syscall storm: blocking system calls keep adding OS threads',
      severity: severityFor(ratio),
      score: ratio,
      evidence: {
        summary:
          `${count(threads)} OS threads for GOMAXPROCS=${procs}` +
          (report.godebug ? ' (schedtrace)' : metrics.threads.peakAlive !== undefined ? ` (alive at once; ${count(seen)} seen)` : '') +
          (concurrent > 0 ? `; up to ${count(concurrent)} goroutines in system calls at once` : '') +
          (profile ? `; ${ns(profile.totalNs)} in syscalls` : '') +
          (topName ? `, top: ${topName} (${ns(top[0]!.totalNs)}, ${count(top[0]!.count)} calls)` : ''),
        measurements: [
          { name: 'threadsAlive', value: threads, unit: 'threads', threshold: threadLimit },
          { name: 'threadsSeen', value: seen, unit: 'threads' },
          { name: 'maxGoroutinesInSyscall', value: concurrent, unit: 'goroutines', threshold: t.syscallConcurrent },
          { name: 'gomaxprocs', value: procs, unit: 'Ps' },
          { name: 'syscallTotal', value: profile?.totalNs ?? 0, unit: 'ns' },
        ],
      },
      groups: groups.map((g) => g.name),
      stacks: top.map((e) => ({ label: `${ns(e.totalNs)} in ${count(e.count)} syscalls`, frames: frameNames(e.stack) })),
      remedy:
        'Take the blocking call off the request path: reuse connections (an http.Client with idle connections per host) and use the pure-Go resolver (net.Resolver{PreferGo: true}), which waits on the netpoller instead of holding a thread; otherwise bound how many blocking calls run at once.',
      seed: { file: '000_cd228b6a123a80f5.txt', section: 'Optimization 2: Eliminate Syscall Storm' },
      ...windowField(peakWindow(report, metrics.points, metrics.bucketNs, (p) => p.inSyscall, (p) => `most goroutines in syscalls (${count(p.inSyscall)})`)),
    };
  },
};
