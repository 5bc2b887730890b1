// `schedscope pprof <net|sync|syscall|sched> <trace> -o out.pb.gz`: blocking profiles as pprof files.
import type { Command } from 'commander';
import { writeFileSync } from 'node:fs';
import { PROFILE_KINDS, type ProfileKind } from '../analysis/profiles.js';
import { encodeProfile } from '../export/pprof.js';
import { analyzeWithProgress, parseByteCount } from './analyze.js';
import { windowOptions, type WindowFlags } from './window.js';

export function register(program: Command): void {
  windowOptions(
    program
      .command('pprof')
      .description('write a pprof profile of time spent blocked on the network (net), on synchronisation (sync), in syscalls (syscall) or waiting to run (sched), by stack')
      .argument('<kind>', PROFILE_KINDS.join('|'))
      .argument('<trace>', 'trace file, or - for standard input'),
  )
    .requiredOption('-o, --output <file>', 'where to write the profile (gzipped protobuf, for go tool pprof)')
    .option('--go-compat', 'reproduce go tool trace -pprof exactly (it drops the wait between creation and first run)')
    .option('--group <name>', 'only goroutines of this group (start function)')
    .option('--region <type>', 'only time inside user regions of this type')
    .option('--no-progress', 'no progress bar on stderr')
    .option('--max-generation-bytes <n>', 'largest generation to buffer, in bytes', parseByteCount)
    .action(async (kind: string, path: string, opts: WindowFlags & { output: string; goCompat?: boolean; group?: string; region?: string; progress: boolean; maxGenerationBytes?: number }) => {
      if (!PROFILE_KINDS.includes(kind as ProfileKind)) throw new Error(`unknown profile kind "${kind}" (one of ${PROFILE_KINDS.join(', ')})`);
      const report = await analyzeWithProgress(
        path,
        {
          analyses: ['profiles'],
          profiles: {
            ...(opts.goCompat ? { goCompatible: true } : {}),
            ...(opts.group !== undefined ? { group: opts.group } : {}),
            ...(opts.region !== undefined ? { regionType: opts.region } : {}),
          },
          ...(opts.maxGenerationBytes !== undefined ? { maxGenerationBytes: opts.maxGenerationBytes } : {}),
        },
        opts.progress,
        opts,
      );
      const profile = report.profiles![kind as ProfileKind];
      writeFileSync(opts.output, encodeProfile(profile.entries.map((e) => ({ frames: e.stack, count: e.count, ns: e.totalNs }))));
      process.stderr.write(`${kind}: ${profile.entries.length} stacks, ${profile.count} intervals, ${(profile.totalNs / 1e6).toFixed(3)} ms → ${opts.output}\n`);
    });
}
