#!/usr/bin/env node
// Benchmark (not a test): runs the suite against a runtime a few times and
// prints its wall time next to the time spent inside the runtime's own calls.
//   npm run bench [-- --runtime crun] [--runs 3] [--jobs N] [--only AREA]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values: o } = parseArgs({
  options: {
    runtime: { type: 'string', default: 'runc' },
    runs: { type: 'string', default: '3' },
    jobs: { type: 'string' },
    only: { type: 'string' },
  },
});
const bin = new URL('../bin/ocicomply.js', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'ocicomply-bench-'));
const rows = [];
try {
  for (let i = 0; i < Number(o.runs); i++) {
    const json = join(dir, `run-${i}.json`);
    const args = [bin, 'run', '--runtime', o.runtime, '--reporter', 'tap', '--json', json];
    if (o.jobs) args.push('--jobs', o.jobs);
    if (o.only) args.push('--only', o.only);
    const t0 = performance.now();
    const r = spawnSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'inherit'] });
    const processMs = performance.now() - t0;
    if (r.status === 2 || r.status === null) {
      console.error(`bench: run ${i + 1} failed to run (exit ${r.status})`);
      process.exit(2);
    }
    const doc = JSON.parse(readFileSync(json, 'utf8'));
    rows.push({ processMs, ...doc.timing, cases: new Set(doc.results.map((x) => x.case)).size, results: doc.results.length });
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
const fmt = (ms) => `${(ms / 1000).toFixed(2)} s`;
console.log(`runtime ${o.runtime}, ${rows[0].cases} cases, ${rows[0].results} results, ${rows[0].jobs} job(s)`);
console.log('run  process wall  suite wall  runtime calls  time in runtime  runtime share');
rows.forEach((r, i) => {
  console.log(`${String(i + 1).padStart(3)}  ${fmt(r.processMs).padStart(12)}  ${fmt(r.wallMs).padStart(10)}  ${String(r.runtimeCalls).padStart(13)}  ${fmt(r.runtimeMs).padStart(15)}  ${(100 * r.runtimeMs / r.wallMs / r.jobs).toFixed(0).padStart(12)}%`);
});
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(`median: suite wall ${fmt(median(rows.map((r) => r.wallMs)))}, process wall ${fmt(median(rows.map((r) => r.processMs)))}, ` +
  `runtime ${fmt(median(rows.map((r) => r.runtimeMs)))} summed over ${rows[0].jobs} job(s)`);
