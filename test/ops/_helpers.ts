/** Shared by the ops tests: golden tensors in NHWC, the backends every op suite runs on, diffs. */
import { join } from 'node:path';
import { tf, initBackend } from '../../src/backend/index.ts';
import { readSafetensors, getF32, type SafetensorsFile } from '../../src/io/safetensors.ts';
import { nchwToNhwc } from '../../src/ops/layout.ts';
import { GOLDEN, readGoldenJson } from '../_golden.ts';

/** Every op suite runs on each of these (wasm: the default backend; cpu: the plain-JS reference). */
export const BACKENDS = ['wasm', 'cpu'] as const;
export type TestBackend = (typeof BACKENDS)[number];

export async function useBackend(name: TestBackend): Promise<void> {
  await initBackend(name);
}

const cache = new Map<string, SafetensorsFile>();

export function golden(file: string): SafetensorsFile {
  if (!cache.has(file)) cache.set(file, readSafetensors(join(GOLDEN, file)));
  return cache.get(file)!;
}

/** A golden tensor as stored (official layout). */
export function stored(file: string, name: string): tf.Tensor {
  const { shape, data } = getF32(golden(file), name, file);
  return tf.tensor(data, shape, 'float32');
}

/** A golden NCHW activation as NHWC. */
export function storedNhwc(file: string, name: string): tf.Tensor4D {
  return nchwToNhwc(stored(file, name) as tf.Tensor4D);
}

/** The golden JSON's suggested absolute tolerance for one output (README "Tolerances"). */
export function suggestedTol(json: string, output: string): number {
  const entry = readGoldenJson(json).f32_vs_f64?.[output];
  if (entry?.suggested_abs_tol == null) throw new Error(`${json}: no f32_vs_f64 entry for ${output}`);
  return entry.suggested_abs_tol as number;
}

export function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  if (a.shape.join() !== b.shape.join()) throw new Error(`maxAbsDiff: shapes differ [${a.shape}] vs [${b.shape}]`);
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);
}

export function maxAbs(a: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(a)).dataSync()[0]!);
}
