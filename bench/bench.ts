/**
 * `npm run bench [-- --backend wasm|cpu|... --runs N --batch N]`: generator forward time per image
 * for rows T and R at 32x32 and 64x64 with the `small` profile's channels, on the chosen backend
 * (default: the config's runtime.backend, i.e. auto). Median of N timed runs after one warm-up;
 * each run is mapping + synthesis of one batch, synchronised by reading the image back. Prints wall
 * time and this process's CPU time per image: on a shared machine the CPU time is the steadier number
 * (wasm runs on one thread, so CPU time ~ wall time on an idle machine). Then EQ throughput and
 * training-step images/s for T and R at the small profile (bench/train-step.ts; --train-steps N).
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildGenerator, initBackend, loadConfig, planExperiment, tf, type BackendInfo } from '../src/index.ts';
import type { BackendName } from '../src/config/index.ts';
import { benchTrainStep } from './train-step.ts';
import { computeGeneratorMetrics } from '../src/metrics/generator-metrics.ts';

const ROOT = join(fileURLToPath(import.meta.url), '..', '..');
const CASES = [
  { row: 'T', file: 'configs/stylegan3-t.yaml', res: 32 },
  { row: 'T', file: 'configs/stylegan3-t.yaml', res: 64 },
  { row: 'R', file: 'configs/stylegan3-r.yaml', res: 32 },
  { row: 'R', file: 'configs/stylegan3-r.yaml', res: 64 },
];

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

async function main(): Promise<void> {
  const runs = Number(arg('runs', '5'));
  const batch = Number(arg('batch', '4'));
  let info: BackendInfo | null = null;
  console.log(`row  res  channels(L0)  params(G)   wall ms/image  cpu ms/image   (median of ${runs}, batch ${batch})`);
  for (const c of CASES) {
    const cfg = loadConfig(join(ROOT, c.file), { profile: 'small', set: [`data.resolution=${c.res}`] });
    info ??= await initBackend(arg('backend', cfg.runtime.backend) as BackendName);
    const plan = planExperiment(cfg);
    const G = buildGenerator(plan, { seed: 0 });
    const z = tf.randomNormal([batch, plan.mapping.z_dim], 0, 1, 'float32', 1) as tf.Tensor2D;
    const once = () => {
      const t0 = performance.now(), c0 = process.cpuUsage();
      tf.tidy(() => G.forward(z).dataSync());
      const c1 = process.cpuUsage(c0);
      return { wall: performance.now() - t0, cpu: (c1.user + c1.system) / 1000 };
    };
    once(); // warm-up: kernel setup, first-call allocations
    const times = Array.from({ length: runs }, once);
    const wall = median(times.map((r) => r.wall)) / batch, cpu = median(times.map((r) => r.cpu)) / batch;
    console.log(`${c.row.padEnd(4)} ${String(c.res).padEnd(4)} ${String(plan.synthesis.layers[0]!.in_channels).padEnd(13)} ${String(plan.cost.params.g_total).padEnd(11)} ${wall.toFixed(1).padEnd(14)} ${cpu.toFixed(1)}`);
    z.dispose();
    G.dispose();
  }
  console.log(`backend: ${info!.name} (${info!.package}${info!.simd ? ', SIMD' : ''}${info!.threads ? `, ${info!.threads} thread(s)` : ''})`);
  await benchEquivariance(Number(arg('eq-num', '8')), Number(arg('eq-res', '32')));
  await benchTrainStep(ROOT, Number(arg('train-steps', '3')));
}

/**
 * EQ-T (integer) and EQ-R throughput, images/s, for rows T and R (small profile channels) at
 * `res`: `num` images each through computeGeneratorMetrics (official batch 4: two G forwards per
 * batch plus the image-space ops). CPU time is reported too, since the machine may be shared.
 * Flags: --eq-num N (default 8), --eq-res R (default 32).
 */
async function benchEquivariance(num: number, res: number): Promise<void> {
  console.log(`\nequivariance, ${num} images per metric at ${res}x${res}: images/s wall (images/s per CPU-second)`);
  for (const c of CASES.filter((k) => k.res === CASES[0]!.res)) { // one case per row
    const plan = planExperiment(loadConfig(join(ROOT, c.file), { profile: 'small', set: [`data.resolution=${res}`] }));
    const G = buildGenerator(plan, { seed: 0 });
    const cells: string[] = [];
    for (const name of [`eqt_int@${num}`, `eqr@${num}`]) {
      const [t0, c0] = [performance.now(), process.cpuUsage()];
      await computeGeneratorMetrics(G, [name], { seed: 0 });
      const wall = (performance.now() - t0) / 1000;
      const cpu = process.cpuUsage(c0);
      cells.push(`${name.split('@')[0]} ${(num / wall).toFixed(2)} (${(num / ((cpu.user + cpu.system) / 1e6)).toFixed(2)})`);
    }
    console.log(`${c.row.padEnd(4)} ${cells.join('   ')}`);
    G.dispose();
  }
}

await main();
