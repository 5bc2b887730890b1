// Every subcommand lives in its own file and registers itself here; main.ts knows nothing else.
import type { Command } from 'commander';

export type CommandRegistrar = (program: Command) => void;

export async function loadCommands(): Promise<CommandRegistrar[]> {
  const modules = await Promise.all([
    import('./dump.js'),
    import('./stat.js'),
    import('./analyze.js'),
    import('./pprof.js'),
    import('./mmu.js'),
    import('./goroutines.js'),
    import('./topology.js'),
    import('./diagnose.js'),
    import('./cut.js'),
    import('./generations.js'),
    import('./perfetto.js'),
  ]);
  return modules.map((m) => m.register);
}
