/**
 * The bench's throughput extras: EQ-T / EQ-R images/s through computeGeneratorMetrics, and the
 * dataset's decode images/s (a zip of PNGs written by `sg3 dataset`'s converter, read back item by
 * item: zip lookup + inflate + PNG decode). Wall and this process's CPU time (the machine may be
 * shared).
 */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildGenerator, planExperiment } from '../src/index.ts';
import { convertDataset, openDataset, renderProcedural } from '../src/data/index.ts';
import { encodePng } from '../src/log/png.ts';
import { computeGeneratorMetrics } from '../src/metrics/generator-metrics.ts';
import { benchConfig, type Row } from './settings.ts';

export interface Throughput { name: string; row?: Row; images: number; images_per_s: number; images_per_cpu_s: number }

async function timed(images: number, fn: () => Promise<void> | void): Promise<Pick<Throughput, 'images' | 'images_per_s' | 'images_per_cpu_s'>> {
  const [t0, c0] = [performance.now(), process.cpuUsage()];
  await fn();
  const c = process.cpuUsage(c0);
  return { images, images_per_s: images / ((performance.now() - t0) / 1000), images_per_cpu_s: images / ((c.user + c.system) / 1e6) };
}

/** EQ-T (integer translations) and EQ-R of a fresh G of `row` at the small profile, `num` images each. */
export async function benchEquivariance(root: string, row: Row, num: number): Promise<Throughput[]> {
  const G = buildGenerator(planExperiment(benchConfig(root, row, 'small')), { seed: 0 });
  try {
    const out: Throughput[] = [];
    for (const metric of ['eqt_int', 'eqr']) {
      out.push({ name: metric, row, ...(await timed(num, () => computeGeneratorMetrics(G, [`${metric}@${num}`], { seed: 0 }).then(() => {}))) });
    }
    return out;
  } finally {
    G.dispose();
  }
}

/** Decode throughput of a zip dataset of `num` 32x32 RGB PNGs (procedural images). */
export async function benchDecode(num: number): Promise<Throughput> {
  const dir = mkdtempSync(join(tmpdir(), 'sg3-bench-data-'));
  try {
    const src = join(dir, 'png');
    mkdirSync(src);
    for (let i = 0; i < num; i++) {
      const chw = renderProcedural(0, i, 32, 3);
      const hwc = new Uint8Array(chw.length);
      for (let p = 0; p < 32 * 32; p++) for (let c = 0; c < 3; c++) hwc[p * 3 + c] = chw[c * 1024 + p]!;
      writeFileSync(join(src, `img${String(i).padStart(5, '0')}.png`), encodePng(hwc, 32, 32, 3));
    }
    const zip = join(dir, 'data.zip');
    convertDataset({ source: src, dest: zip, resolution: 32 });
    const ds = await openDataset({ kind: 'zip', path: zip, resolution: 32, channels: 3, mirror: false, max_images: null, num_images: num, seed: 0, prefetch: 2 });
    try {
      return { name: 'zip PNG decode', ...(await timed(num, () => { for (let i = 0; i < ds.size; i++) ds.read(i); })) };
    } finally {
      ds.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
