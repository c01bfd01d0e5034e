/**
 * `npm run bench [-- flags]`: training-speed benchmark on the active backend (not a test).
 *
 *   npm run bench                                   # both rows, both settings, EQ, decode
 *   npm run bench -- --official /path/to/stylegan3  # + the official code side by side, ratios
 *   npm run bench -- --memory [--memory-steps 200]  # small profile: tensors and RSS over steps
 *
 * For rows T and R at the settings `small` and `official-32` (bench/settings.ts), the cases of
 * bench/train-step.ts (G_forward, G_phase, D_phase, R1_phase, iteration) on the real training
 * code; `step` = iteration + R1_phase / 16 (Dreg every 16 steps, the official ratio). Median of
 * --runs (default 5) after --warmup (1). With --official DIR, bench/official.py runs the official
 * code (torch, --official-threads 2, reference CPU ops) on the same setting in a child process, and
 * every run of ours is followed by one of theirs on the same case (the machine may be shared: both
 * sides see the same load); the table shows ours/official per case, by wall and by CPU time.
 * Then EQ-T/EQ-R and dataset decode images/s.
 * Writes bench/results.json (see `FLOPS_NOTE` for what GFLOP/s counts).
 * Other flags: --rows T,R  --settings small,official-32  --official-settings official-32
 * --backend wasm  --eq-num 8  --decode-num 256  --no-extras.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initBackend, tf } from '../src/index.ts';
import { describeBackend } from '../src/backend/init.ts';
import type { BackendName } from '../src/config/index.ts';
import type { Plan } from '../src/plan/types.ts';
import { benchDecode, benchEquivariance, type Throughput } from './extras.ts';
import { measureGemmPeak } from './kernels.ts';
import { OfficialServer } from './official-run.ts';
import { benchConfig, ROWS, SETTINGS, type Row, type Setting } from './settings.ts';
import { caseRunners, memoryRun, SESSION_CASES, timeOnce, withSession, type Samples, type SessionCase } from './train-step.ts';
import type { Session } from '../src/train/session.ts';

const ROOT = join(fileURLToPath(import.meta.url), '..', '..');
const OUT = join(ROOT, 'bench', 'results.json');
const FLOPS_NOTE = 'forward FLOPs of the planner (plan.cost.flops_per_image: convolutions, FC layers, modulation, '
  + 'FIR filtering as an efficient implementation does it; not element-wise ops) x batch; a backward pass counts 2x its '
  + 'forward: G_phase 3(G+D), D_phase G + 2*3D, R1_phase 6D (forward, input gradient, and the gradient of both), '
  + 'iteration G_phase + D_phase, step iteration + R1_phase/16';

type Phase = SessionCase | 'step';
interface Case { row: Row; setting: Setting; phase: Phase; seconds_median: number; cpu_seconds_median: number; images_per_s: number; gflops: number }
interface Compared extends Case { official_seconds_median: number; official_cpu_seconds_median: number; ratio: number; cpu_ratio: number }

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}
const flag = (name: string) => process.argv.includes(`--${name}`);
const list = <T extends string>(name: string, fallback: T[]) => arg(name, fallback.join(',')).split(',') as T[];

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

/** FLOPs of one run of a case (see FLOPS_NOTE). */
function caseFlops(plan: Plan, phase: Phase): number {
  const { g_total: g, d } = plan.cost.flops_per_image;
  const per: Record<Phase, number> = {
    G_forward: g, G_phase: 3 * (g + d), D_phase: g + 6 * d, R1_phase: 6 * d,
    iteration: 3 * (g + d) + g + 6 * d, step: 3 * (g + d) + g + 6 * d + (6 * d) / 16,
  };
  return per[phase] * plan.training.batch;
}

/** Medians of every case plus the derived `step` = iteration + R1_phase / 16. */
function summarise(row: Row, setting: Setting, plan: Plan, samples: Map<SessionCase, Samples> | Partial<Record<SessionCase, Samples>>): Case[] {
  const get = (c: SessionCase) => (samples instanceof Map ? samples.get(c) : samples[c]);
  const med: Partial<Record<Phase, [number, number]>> = {};
  for (const c of SESSION_CASES) { const s = get(c); if (s) med[c] = [median(s.wall), median(s.cpu)]; }
  if (med.iteration && med.R1_phase) med.step = [med.iteration[0] + med.R1_phase[0] / 16, med.iteration[1] + med.R1_phase[1] / 16];
  return (Object.entries(med) as [Phase, [number, number]][]).map(([phase, [wall, cpu]]) => ({
    row, setting, phase, seconds_median: wall, cpu_seconds_median: cpu,
    images_per_s: plan.training.batch / wall, gflops: caseFlops(plan, phase) / wall / 1e9,
  }));
}

function compare(ours: Case[], official: Case[]): Compared[] {
  return ours.flatMap((o) => {
    const f = official.find((x) => x.phase === o.phase);
    return f ? [{ ...o, official_seconds_median: f.seconds_median, official_cpu_seconds_median: f.cpu_seconds_median, ratio: o.seconds_median / f.seconds_median, cpu_ratio: o.cpu_seconds_median / f.cpu_seconds_median }] : [];
  });
}

const f = (v: number, w: number, d = 2) => v.toFixed(d).padStart(w);

function printRow(c: Case, peak: number | null, cmp?: Compared): void {
  const pct = peak ? `${f((100 * c.gflops) / peak, 5, 0)}%` : '     -';
  const off = cmp ? `${f(cmp.official_seconds_median, 9)} ${f(cmp.official_cpu_seconds_median, 7)}  ${f(cmp.ratio, 6)} ${f(cmp.cpu_ratio, 6)}` : '';
  console.log(`${c.setting.padEnd(12)}${c.row.padEnd(4)}${c.phase.padEnd(11)}${f(c.seconds_median, 8, 3)} ${f(c.cpu_seconds_median, 7)} ${f(c.images_per_s, 7)} ${f(c.gflops, 8, 1)} ${pct}  ${off}`);
}

/**
 * Our cases on one session; with an official server, each timed run of ours is followed by one of
 * the official code on the same case (warm-ups likewise), so both see the same machine load.
 */
async function timeSideBySide(s: Session, official: OfficialServer | null, o: Options): Promise<[Map<SessionCase, Samples>, Map<SessionCase, Samples>]> {
  const ours = new Map<SessionCase, Samples>(), theirs = new Map<SessionCase, Samples>();
  const run = caseRunners(s);
  const push = (m: Map<SessionCase, Samples>, c: SessionCase, r: { wall: number; cpu: number }) => {
    const x = m.get(c) ?? { wall: [], cpu: [] };
    x.wall.push(r.wall); x.cpu.push(r.cpu); m.set(c, x);
  };
  for (const c of SESSION_CASES) {
    for (let i = 0; i < o.warmup; i++) { await run[c](); if (official) await official.run(c); }
    for (let i = 0; i < o.runs; i++) {
      push(ours, c, await timeOnce(run[c]));
      if (official) push(theirs, c, await official.run(c));
    }
  }
  return [ours, theirs];
}

async function runSetting(row: Row, setting: Setting, o: Options): Promise<{ cases: Case[]; compared: Compared[]; official?: Record<string, unknown>; gParams: number }> {
  const config = benchConfig(ROOT, row, setting);
  const wanted = o.official != null && o.officialSettings.includes(setting);
  const server = wanted ? await OfficialServer.start(ROOT, o.official!, row, config, o.officialThreads) : null;
  const live = server && !('error' in server) ? server : null;
  try {
    return await withSession(config, async (s, plan) => {
      const [ours, theirs] = await timeSideBySide(s, live, o);
      const cases = summarise(row, setting, plan, ours);
      const gParams = plan.cost.params.g_total;
      if (!server) return { cases, compared: [], gParams };
      if ('error' in server) return { cases, compared: [], official: { error: server.error }, gParams };
      const official = { ...server.info, cases: Object.fromEntries(theirs) };
      return { cases, compared: compare(cases, summarise(row, setting, plan, theirs)), official, gParams };
    });
  } finally {
    live?.close();
  }
}

interface Options { runs: number; warmup: number; official: string | null; officialSettings: Setting[]; officialThreads: number }

async function main(): Promise<void> {
  const o: Options = {
    runs: Number(arg('runs', '5')), warmup: Number(arg('warmup', '1')), official: flag('official') ? arg('official', '') : null,
    officialSettings: list<Setting>('official-settings', ['official-32']), officialThreads: Number(arg('official-threads', '2')),
  };
  const info = await initBackend(arg('backend', 'wasm') as BackendName);
  const machine = { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, loadavg_start: loadavg() };
  console.log(`${machine.cpu}, ${machine.cores} cores (load ${loadavg().map((x) => x.toFixed(1)).join(' ')}); backend ${describeBackend(info)}`);
  if (flag('memory')) return memoryMode(info, machine);
  let peak: { wall: number; cpu: number } | null = null;
  try { peak = measureGemmPeak([1024, 2048]); } catch (e) { console.log(`GEMM peak: not measured (${(e as Error).message})`); }
  if (peak) console.log(`GEMM peak (native addon): ${peak.wall.toFixed(1)} GFLOP/s wall, ${peak.cpu.toFixed(1)} GFLOP per CPU-second`);
  console.log(`\nmedian of ${o.runs} after ${o.warmup} warm-up; step = iteration + R1_phase/16${o.official ? `; official: torch, ${o.officialThreads} threads` : ''}`);
  console.log(`setting     row phase         wall s   cpu s   img/s  GFLOP/s %peak  ${o.official ? 'official s   cpu s   ratio cpu-ratio' : ''}`);
  const cases: Case[] = [], compared: Compared[] = [], official: Record<string, unknown>[] = [];
  let smallPeakRssMb: number | null = null;
  for (const setting of list<Setting>('settings', SETTINGS)) {
    for (const row of list<Row>('rows', ROWS)) {
      try {
        const r = await runSetting(row, setting, o);
        cases.push(...r.cases);
        compared.push(...r.compared);
        for (const c of r.cases) printRow(c, peak?.wall ?? null, r.compared.find((x) => x.phase === c.phase));
        if (r.official) {
          official.push({ row, setting, ...r.official, our_g_params: r.gParams });
          if ('error' in r.official) console.log(`  official ${row} ${setting}: skipped (${r.official.error})`);
          else if (r.official.g_params !== r.gParams) console.log(`  WARNING: official G has ${r.official.g_params} parameters, ours ${r.gParams}`);
        }
      } catch (e) {
        console.log(`${setting.padEnd(12)}${row.padEnd(4)}failed: ${String((e as Error).message ?? e).split('\n')[0]}`);
        official.push({ row, setting, error: `ours failed: ${String((e as Error).message ?? e).split('\n')[0]}` });
      }
    }
    if (setting === 'small') smallPeakRssMb = process.resourceUsage().maxRSS / 1024;
  }
  if (smallPeakRssMb != null) console.log(`peak RSS after the small profile runs: ${smallPeakRssMb.toFixed(0)} MB`);
  const extras: Throughput[] = [];
  if (!flag('no-extras')) {
    for (const row of ROWS) extras.push(...(await benchEquivariance(ROOT, row, Number(arg('eq-num', '8')))));
    extras.push(await benchDecode(Number(arg('decode-num', '256'))));
    console.log('\nthroughput (small profile, 32x32): images/s wall (per CPU-second)');
    for (const t of extras) console.log(`${(t.row ? `${t.row} ` : '').padEnd(3)}${t.name.padEnd(16)}${f(t.images_per_s, 9)} (${t.images_per_cpu_s.toFixed(2)})`);
  }
  const memory = existsSync(OUT) ? JSON.parse(readFileSync(OUT, 'utf8')).memory : undefined;  // kept from a --memory run
  writeFileSync(OUT, JSON.stringify({
    date: new Date().toISOString(), machine: { ...machine, loadavg_end: loadavg() }, backend: describeBackend(info),
    gemm_peak_gflops: peak, flops_note: FLOPS_NOTE, runs: o.runs, warmup: o.warmup,
    peak_rss_mb_small: smallPeakRssMb, cases, official_comparison: compared, official, extras, memory,
  }, null, 2) + '\n');
  console.log(`\nwrote ${OUT}`);
}

/** --memory: whole steps of the small profile, tensors and RSS every --memory-every steps. */
async function memoryMode(info: Awaited<ReturnType<typeof initBackend>>, machine: object): Promise<void> {
  const steps = Number(arg('memory-steps', '200')), every = Number(arg('memory-every', '10'));
  const memory: Record<string, unknown>[] = [];
  for (const row of list<Row>('rows', ROWS)) {
    console.log(`\n${row} small: ${steps} steps (Dreg every 16), sampled after a full GC; step tensors tfjs-MB wasm-heap-MB js-heap-MB RSS-MB`);
    const samples = await withSession(benchConfig(ROOT, row, 'small'), (s) => memoryRun(s, steps, every, (m) =>
      console.log(`${String(m.step).padStart(5)} ${String(m.tensors).padStart(7)} ${f(m.tfjsMb, 8, 1)} ${f(m.wasmHeapMb, 12, 0)} ${f(m.jsHeapMb, 10, 1)} ${f(m.rssMb, 7, 0)}`)));
    // Growth from the second sample on: the first window is warm-up (the wasm heap grows to its steady size).
    const first = samples[Math.min(1, samples.length - 1)]!, last = samples[samples.length - 1]!;
    const rssOverJs = samples.slice(1).map((m) => m.rssMb - m.jsHeapMb);
    console.log(`${row}: from step ${first.step} to ${last.step}: tensors ${first.tensors} -> ${last.tensors}, wasm heap ${first.wasmHeapMb.toFixed(0)} -> ${last.wasmHeapMb.toFixed(0)} MB, RSS ${first.rssMb.toFixed(0)} -> ${last.rssMb.toFixed(0)} MB (RSS - V8 heap: ${Math.min(...rssOverJs).toFixed(0)}..${Math.max(...rssOverJs).toFixed(0)} MB); peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
    memory.push({ row, setting: 'small', steps, samples, from_step: first.step, tensors_growth: last.tensors - first.tensors, wasm_heap_growth_mb: last.wasmHeapMb - first.wasmHeapMb, rss_growth_mb: last.rssMb - first.rssMb, peak_rss_mb: process.resourceUsage().maxRSS / 1024 });
  }
  const prev = existsSync(OUT) ? JSON.parse(readFileSync(OUT, 'utf8')) : {};
  writeFileSync(OUT, JSON.stringify({ ...prev, memory: { date: new Date().toISOString(), machine, backend: describeBackend(info), runs: memory } }, null, 2) + '\n');
  console.log(`\nwrote ${OUT} (memory)`);
}

await main();
tf.disposeVariables();
