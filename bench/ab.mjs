// Interleaved wall-clock and CPU-time runs of a few commands on one trace, for A/B comparisons on a
// busy machine: each run is its own process under /usr/bin/time; prints min and median of the wall
// time and of user+sys CPU time per command, the time the command reports itself (`"seconds":` in its
// output, as bench/decode-child.mjs and the Go oracle print: open to last event), and MB/s and the
// ratio to the first command on that self-reported time.
//   node bench/ab.mjs [--runs N] [--trace FILE] name='command with {trace}' name2='...' ...
// Example (columnar path of this tree and of a saved copy, and Go's reader):
//   node bench/ab.mjs --runs 7 new='node bench/decode-child.mjs columnar {trace}' \
//     old='node bench/out/base/bench/decode-child.mjs columnar {trace}' go='bench/out/oracle count {trace}'
import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';

const argv = process.argv.slice(2);
let runs = 5;
let trace = '/work/main/bench/out/bench-200mb.trace';
const commands = [];
for (let i = 0; i < argv.length; i++) {
  if (argv[i] === '--runs') runs = Number(argv[++i]);
  else if (argv[i] === '--trace') trace = argv[++i];
  else {
    const at = argv[i].indexOf('=');
    commands.push({ name: argv[i].slice(0, at), command: argv[i].slice(at + 1).replaceAll('{trace}', trace), wall: [], cpu: [], self: [] });
  }
}
if (commands.length === 0) {
  console.error("usage: node bench/ab.mjs [--runs N] [--trace FILE] name='command {trace}' ...");
  process.exit(2);
}
const bytes = statSync(trace).size;
spawnSync('cat', [trace], { stdio: ['ignore', 'ignore', 'ignore'] }); // warm the page cache
for (let r = 0; r < runs; r++) {
  for (const c of commands) {
    const result = spawnSync('/usr/bin/time', ['-f', 'TIME %e %U %S', 'sh', '-c', c.command], { encoding: 'utf8' });
    const m = /TIME ([\d.]+) ([\d.]+) ([\d.]+)/.exec(result.stderr);
    if (result.status !== 0 || m === null) {
      console.error(`${c.name} failed:\n${result.stderr}`);
      process.exit(1);
    }
    c.wall.push(Number(m[1]));
    const own = /"seconds":([\d.]+)/.exec(result.stdout);
    c.self.push(own === null ? Number(m[1]) : Number(own[1]));
    c.cpu.push(Number(m[2]) + Number(m[3]));
  }
}
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const min = (xs) => Math.min(...xs);
console.log(`${runs} interleaved runs, ${trace} (${(bytes / 1e6).toFixed(1)} MB); whole process under /usr/bin/time`);
console.log('| command | self min s | self median s | MB/s (self min / median) | self min vs first | process wall min / median s | process CPU min / median s |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
const first = min(commands[0].self);
for (const c of commands) {
  console.log(
    `| ${c.name} | ${min(c.self).toFixed(2)} | ${median(c.self).toFixed(2)} | ${(bytes / 1e6 / min(c.self)).toFixed(1)} / ${(bytes / 1e6 / median(c.self)).toFixed(1)} | ${(min(c.self) / first).toFixed(2)}× | ${min(c.wall).toFixed(2)} / ${median(c.wall).toFixed(2)} | ${min(c.cpu).toFixed(2)} / ${median(c.cpu).toFixed(2)} |`,
  );
}
console.log(JSON.stringify(commands.map(({ name, self, wall, cpu }) => ({ name, self, wall, cpu }))));
