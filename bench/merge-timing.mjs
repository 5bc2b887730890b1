// Runs the CLI with every analysis's `merge` timed on the calling thread (where the pool's
// partials merge), and prints the totals to stderr at exit:
//   node bench/merge-timing.mjs analyze <trace> --json --workers 2 > /dev/null
// Compiled sources come from dist/ under the current directory (or $SCHEDSCOPE_ROOT).
const root = process.env.SCHEDSCOPE_ROOT ?? process.cwd();
const { ANALYSIS_DEFINITIONS } = await import(`${root}/dist/analysis/analyze.js`);
const totals = {};
const counts = {};
for (const [name, definition] of Object.entries(ANALYSIS_DEFINITIONS)) {
  const merge = definition.merge;
  definition.merge = function (...args) {
    const start = performance.now();
    try {
      return merge.apply(this, args);
    } finally {
      totals[name] = (totals[name] ?? 0) + performance.now() - start;
      counts[name] = (counts[name] ?? 0) + 1;
    }
  };
}
process.on('exit', () => {
  const lines = Object.entries(totals)
    .sort((x, y) => y[1] - x[1])
    .map(([name, ms]) => `${name} ${ms.toFixed(0)} ms (${counts[name]} merges)`);
  process.stderr.write(`merge times: ${lines.join(', ')}\n`);
});
const { main } = await import(`${root}/dist/cli/main.js`);
process.exitCode = await main(process.argv.slice(2));
