/** Procedural test images: stationary band-limited noise with a fixed spectrum, plus degradations. */
import { Rng } from '../../src/io/rng.ts';
import type { ImageBatch } from '../../src/metrics/images.ts';

type U8Batch = ImageBatch & { data: Uint8Array };

/** Separable Gaussian blur of every plane (edge-clamped), float in, float out. */
function gaussianBlur(v: Float32Array, planes: number, h: number, w: number, sigma: number): Float32Array {
  const r = Math.ceil(3 * sigma);
  const taps = Array.from({ length: 2 * r + 1 }, (_, i) => Math.exp(-((i - r) ** 2) / (2 * sigma * sigma)));
  const sum = taps.reduce((a, b) => a + b, 0);
  const k = taps.map((x) => x / sum);
  const tmp = new Float32Array(v.length);
  const out = new Float32Array(v.length);
  const clamp = (i: number, n: number) => Math.min(n - 1, Math.max(0, i));
  for (let p = 0; p < planes; p++) {
    const o = p * h * w;
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
      let s = 0;
      for (let i = -r; i <= r; i++) s += k[i + r] * v[o + y * w + clamp(x + i, w)];
      tmp[o + y * w + x] = s;
    }
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
      let s = 0;
      for (let i = -r; i <= r; i++) s += k[i + r] * tmp[o + clamp(y + i, h) * w + x];
      out[o + y * w + x] = s;
    }
  }
  return out;
}

/** n images [n, c, size, size] uint8: white noise low-passed by a Gaussian of `sigma` px, mean 128. */
export function bandLimitedNoise(n: number, c: number, size: number, seed: number, sigma = 1.2): U8Batch {
  const rng = new Rng(seed);
  const white = Float32Array.from({ length: n * c * size * size }, () => rng.normal());
  const smooth = gaussianBlur(white, n * c, size, size, sigma);
  const gain = 40 * 2 * Math.sqrt(Math.PI) * sigma; // the blur divides the std by ~2 sqrt(pi) sigma
  return { data: Uint8Array.from(smooth, (v) => Math.max(0, Math.min(255, Math.round(128 + gain * v)))), shape: [n, c, size, size] };
}

/** Extra Gaussian blur of `sigma` px (in 0..255 units, rounded back to uint8). */
export function blur(batch: U8Batch, sigma: number): U8Batch {
  const [n, c, h, w] = batch.shape;
  const out = gaussianBlur(Float32Array.from(batch.data), n * c, h, w, sigma);
  return { data: Uint8Array.from(out, (v) => Math.round(v)), shape: batch.shape };
}

/** Adds Gaussian noise of standard deviation `sigma` (in 0..255 units), clamped. */
export function addNoise(batch: U8Batch, sigma: number, seed: number): U8Batch {
  const rng = new Rng(seed);
  return { data: batch.data.map((v) => Math.max(0, Math.min(255, Math.round(v + sigma * rng.normal())))), shape: batch.shape };
}
