import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BENCH_DIR, formatResult, log, type BenchResult } from './lib.ts';

/**
 * `npm run bench` runs every benchmark; `npm run bench -- p1 p4` runs some. Each prints one
 * line (figure, same-run baseline, ratio, target); all results go to bench/results.json.
 */
// Loaded on demand: a benchmark's setup (fixtures, browsers) costs nothing unless it runs.
const BENCHMARKS: Readonly<Record<string, () => Promise<BenchResult>>> = {
  p1: async () => (await import('./p1-single-events.ts')).runP1(),
  p2: async () => (await import('./p2-batches.ts')).runP2(),
  p3: async () => (await import('./p3-postgres.ts')).runP3(),
  p4: async () => (await import('./p4-timeline.ts')).runP4(),
  p5: async () => (await import('./p5-assignment.ts')).runP5(),
  p6: async () => (await import('./p6-inbox.ts')).runP6(),
  p7: async () => (await import('./p7-realtime.ts')).runP7(),
  p8: async () => (await import('./p8-webhooks.ts')).runP8(),
  p9: async () => (await import('./p9-chat.ts')).runP9(),
  p10: async () => (await import('./p10-inbox-load.ts')).runP10(),
  search: async () => (await import('./search-stall.ts')).runSearchStall(),
};

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
