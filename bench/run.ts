import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BENCH_DIR, formatResult, log, type BenchResult } from './lib.ts';
import { runP1 } from './p1-single-events.ts';
import { runP2 } from './p2-batches.ts';
import { runP3 } from './p3-postgres.ts';
import { runP4 } from './p4-timeline.ts';

/**
 * `npm run bench` runs every benchmark; `npm run bench -- p1 p4` runs some. Each prints one
 * line (figure, same-run baseline, ratio, target); all results go to bench/results.json.
 */
const BENCHMARKS: Readonly<Record<string, () => Promise<BenchResult>>> = { p1: runP1, p2: runP2, p3: runP3, p4: runP4 };

const wanted = process.argv.slice(2).map((a) => a.toLowerCase());
const unknown = wanted.filter((name) => !(name in BENCHMARKS));
if (unknown.length > 0) {
  console.error(`unknown benchmark ${unknown.join(', ')}; choose from ${Object.keys(BENCHMARKS).join(', ')}`);
  process.exit(2);
}
const names = wanted.length > 0 ? wanted : Object.keys(BENCHMARKS);
const results: BenchResult[] = [];
for (const name of names) {
  // Other work on the machine skews every figure (two cores: one for the server, one for the
  // load): say so rather than let a busy machine pass for a slow server.
  const otherCpu = await busyCores();
  if (otherCpu > 0.25) log(`other processes were using ${otherCpu} of ${os.cpus().length} cores just before ${name}: figures will be noisy`);
  const started = Date.now();
  const r = await BENCHMARKS[name]();
  results.push({ ...r, details: { ...r.details, wallSeconds: Math.round((Date.now() - started) / 1000), otherCoresBusyBefore: otherCpu } });
  console.log(formatResult(r));
}
const out = { ranAt: new Date().toISOString(), node: process.version, cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, results };
fs.writeFileSync(path.join(BENCH_DIR, 'results.json'), JSON.stringify(out, null, 2) + '\n');
console.log(`results: ${path.relative(process.cwd(), path.join(BENCH_DIR, 'results.json'))}`);

/** Cores busy over one second while this process is idle between benchmarks: other work. */
async function busyCores(): Promise<number> {
  const sample = () => os.cpus().reduce((sum, c) => ({ busy: sum.busy + c.times.user + c.times.nice + c.times.sys + c.times.irq, all: sum.all + c.times.user + c.times.nice + c.times.sys + c.times.irq + c.times.idle }), { busy: 0, all: 0 });
  const before = sample();
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const after = sample();
  return Math.round(((after.busy - before.busy) / (after.all - before.all)) * os.cpus().length * 100) / 100;
}
