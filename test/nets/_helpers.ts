/**
 * Shared by the nets tests: plans of the golden networks built from the real configs/*.yaml with
 * --set overrides read from each golden JSON's constructor kwargs, golden tensors, tolerances.
 */
import { join } from 'node:path';
import { tf, initBackend } from '../../src/backend/index.ts';
import { loadConfig } from '../../src/config/index.ts';
import { getF32, readSafetensors, type SafetensorsFile } from '../../src/io/safetensors.ts';
import { planExperiment, type Plan } from '../../src/plan/index.ts';
import { GOLDEN, REPO_ROOT, readGoldenJson } from '../_golden.ts';

export const BACKENDS = ['wasm', 'cpu'] as const;
export type TestBackend = (typeof BACKENDS)[number];

export async function useBackend(name: TestBackend): Promise<void> {
  await initBackend(name);
}

/** The config file whose row each golden network is (T, R, or A = StyleGAN2). */
const CONFIG_OF: Record<string, string> = {
  g_sg3_T16: 'configs/stylegan3-t.yaml',
  g_sg3_T16_transform: 'configs/stylegan3-t.yaml',
  g_sg3_R16: 'configs/stylegan3-r.yaml',
  g_sg2_16_nonoise: 'configs/stylegan2.yaml',
  d_sg2_16: 'configs/stylegan3-t.yaml',
};

interface Kwargs {
  z_dim?: number; w_dim?: number; img_resolution: number; img_channels: number; channel_base: number; channel_max: number;
  mapping_kwargs?: { num_layers: number }; epilogue_kwargs?: { mbstd_group_size: number };
}

/** `--set` overrides that make the config's network the golden one (sizes from the golden JSON). */
export function goldenSets(golden: string): string[] {
  const json = readGoldenJson<{ constructor_kwargs: Kwargs; uses_params?: string }>(`${golden}.json`);
  const kw = json.constructor_kwargs;
  const sets = [`data.resolution=${kw.img_resolution}`, `data.channels=${kw.img_channels}`];
  if (golden.startsWith('d_')) {
    sets.push(`discriminator.channels.base=${kw.channel_base}`, `discriminator.channels.max=${kw.channel_max}`);
    sets.push(`discriminator.mbstd_group_size=${kw.epilogue_kwargs!.mbstd_group_size}`);
    return sets;
  }
  sets.push(`generator.z_dim=${kw.z_dim}`, `generator.w_dim=${kw.w_dim}`, `generator.mapping.layers=${kw.mapping_kwargs!.num_layers}`);
  sets.push(`generator.channels.base=${kw.channel_base}`, `generator.channels.max=${kw.channel_max}`);
  return sets;
}

export function goldenConfigFile(golden: string): string {
  return join(REPO_ROOT, CONFIG_OF[golden]!);
}

/** The plan of a golden network: its row's config, smoke profile (batch 4), golden sizes. */
export function goldenPlan(golden: string): Plan {
  return planExperiment(loadConfig(goldenConfigFile(golden), { profile: 'smoke', set: goldenSets(golden) }));
}

const files = new Map<string, SafetensorsFile>();
export function goldenFile(name: string): SafetensorsFile {
  if (!files.has(name)) files.set(name, readSafetensors(join(GOLDEN, name)));
  return files.get(name)!;
}

export function goldenPath(name: string): string {
  return join(GOLDEN, name);
}

/** A golden tensor as stored (official layout, NCHW). */
export function stored(file: string, name: string): tf.Tensor {
  const { shape, data } = getF32(goldenFile(file), name, file);
  return tf.tensor(data, shape, 'float32');
}

export interface F32VsF64 { max_abs_diff: number; max_abs_value: number; suggested_abs_tol: number }

/** The golden JSON's f32-vs-f64 entry of an output (README "Tolerances"). */
export function tolEntry(golden: string, output: string): F32VsF64 {
  const e = readGoldenJson(`${golden}.json`).f32_vs_f64?.[output];
  if (e?.suggested_abs_tol == null) throw new Error(`${golden}.json: no f32_vs_f64 entry for ${output}`);
  return e as F32VsF64;
}

export function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  if (a.shape.join() !== b.shape.join()) throw new Error(`maxAbsDiff: shapes differ [${a.shape}] vs [${b.shape}]`);
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);
}

/** Per-sample, per-channel mean and mean of squares over H, W of an NCHW tensor: [N, C] each. */
export function channelStats(x: tf.Tensor): { mean: tf.Tensor; meansq: tf.Tensor } {
  return tf.tidy(() => ({ mean: tf.mean(x, [2, 3]), meansq: tf.mean(tf.square(x), [2, 3]) }));
}
