// Prints the functions with the most self time in a V8 .cpuprofile (from `node --cpu-prof`).
//   node bench/cpuprofile-top.mjs <file.cpuprofile | directory> [count=15]
// Self time of a node = the sum of the sample intervals (timeDeltas) whose sample landed on it;
// nodes are merged by function name + script + line so one function appears once.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';

const [target, countArg] = process.argv.slice(2);
if (target === undefined) {
  process.stderr.write('usage: node bench/cpuprofile-top.mjs <file.cpuprofile | dir> [count]\n');
  process.exit(2);
}
const files = statSync(target).isDirectory()
  ? readdirSync(target).filter((name) => name.endsWith('.cpuprofile')).map((name) => join(target, name))
  : [target];
const limit = Number(countArg ?? 15);

const selfMicros = new Map();
let totalMicros = 0;
for (const file of files) {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  profile.samples.forEach((id, index) => {
    const { functionName, url, lineNumber } = nodes.get(id).callFrame;
    const key = `${functionName || '(anonymous)'}  ${url ? `${basename(url)}:${lineNumber + 1}` : ''}`.trim();
    const micros = profile.timeDeltas[index] ?? 0;
    selfMicros.set(key, (selfMicros.get(key) ?? 0) + micros);
    totalMicros += micros;
  });
}
const top = [...selfMicros].sort((a, b) => b[1] - a[1]).slice(0, limit);
process.stdout.write(`self ms    self %  function  (${files.length} profile(s), ${(totalMicros / 1000).toFixed(0)} ms sampled)\n`);
for (const [key, micros] of top) {
  process.stdout.write(`${(micros / 1000).toFixed(0).padStart(7)}  ${((100 * micros) / totalMicros).toFixed(1).padStart(6)}%  ${key}\n`);
}
