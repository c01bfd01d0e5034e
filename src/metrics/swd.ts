/**
 * Sliced Wasserstein distance on Laplacian-pyramid patches (Karras et al. 2018, Progressive GAN,
 * `metrics/sliced_wasserstein.py`), with the original's numbers: 7x7 neighbourhoods, 128 per image
 * per level at uniform random positions, descriptors normalised per channel over the whole set,
 * 4 repeats x 128 random unit directions, one level per resolution down to 16x16; distances are
 * reported x1e3 per level and averaged, as the original prints (`SWDx1e3_<res>`, `SWDx1e3_avg`).
 *
 * Images are uint8 NCHW (C = 1 or 3; the original only allowed 3). Pure TS, float32 pixels.
 */
import { Rng } from '../io/rng.ts';
import type { ImageBatch } from './images.ts';

export const SWD_NHOOD = 7;
export const SWD_NHOODS_PER_IMAGE = 128;
export const SWD_DIR_REPEATS = 4;
export const SWD_DIRS_PER_REPEAT = 128;

/** Resolutions of the pyramid levels: res, res/2, ... while >= 16. */
export function swdResolutions(res: number): number[] {
  const out: number[] = [];
  for (let r = res; r >= 16; r = Math.floor(r / 2)) out.push(r);
  return out;
}

/** scipy.ndimage 'mirror' boundary: d c b | a b c d | c b a. */
function mirror(i: number, n: number): number {
  if (n === 1) return 0;
  const period = 2 * n - 2;
  let j = ((i % period) + period) % period;
  if (j >= n) j = period - j;
  return j;
}

const G5 = [1 / 16, 4 / 16, 6 / 16, 4 / 16, 1 / 16]; // the original's 5x5 Gaussian is outer(G5, G5)

/** Separable 5-tap filter of one [h, w] plane with mirror boundaries, times `gain`. */
function blur5(src: Float32Array, h: number, w: number, gain: number): Float32Array {
  const tmp = new Float32Array(h * w);
  const out = new Float32Array(h * w);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let s = 0;
      for (let k = -2; k <= 2; k++) s += G5[k + 2] * src[y * w + mirror(x + k, w)];
      tmp[y * w + x] = s;
    }
  }
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let s = 0;
      for (let k = -2; k <= 2; k++) s += G5[k + 2] * tmp[mirror(y + k, h) * w + x];
      out[y * w + x] = s * gain;
    }
  }
  return out;
}

/** cv2.pyrDown of one plane: blur, keep even rows and columns. [h, w] -> [h/2, w/2]. */
export function pyrDown(src: Float32Array, h: number, w: number): Float32Array {
  const b = blur5(src, h, w, 1);
  const h2 = Math.ceil(h / 2), w2 = Math.ceil(w / 2);
  const out = new Float32Array(h2 * w2);
  for (let y = 0; y < h2; y++) for (let x = 0; x < w2; x++) out[y * w2 + x] = b[2 * y * w + 2 * x];
  return out;
}

/** cv2.pyrUp of one plane: zero insertion, then blur with gain 4. [h, w] -> [2h, 2w]. */
export function pyrUp(src: Float32Array, h: number, w: number): Float32Array {
  const up = new Float32Array(4 * h * w);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) up[2 * y * 2 * w + 2 * x] = src[y * w + x];
  return blur5(up, 2 * h, 2 * w, 4);
}

/** Laplacian pyramid of one plane: levels[0] is full size; the last level is the low-pass residual. */
export function laplacianPyramid(plane: Float32Array, size: number, numLevels: number): Float32Array[] {
  const levels: Float32Array[] = [Float32Array.from(plane)];
  let s = size;
  for (let i = 1; i < numLevels; i++) {
    const down = pyrDown(levels[i - 1], s, s);
    const up = pyrUp(down, s / 2, s / 2);
    for (let k = 0; k < up.length; k++) levels[i - 1][k] -= up[k];
    levels.push(down);
    s /= 2;
  }
  return levels;
}

/** Collects patch descriptors per pyramid level from batches of square uint8 images. */
export class SwdDescriptors {
  readonly resolutions: number[];
  private readonly chunks: Float32Array[][];
  private readonly rng: Rng;
  count = 0; // descriptors per level so far
  channels: number | null = null;

  constructor(readonly resolution: number, seed: number) {
    this.resolutions = swdResolutions(resolution);
    if (this.resolutions.length === 0) throw new Error(`SwdDescriptors: resolution must be >= 16 (got ${resolution})`);
    this.chunks = this.resolutions.map(() => []);
    this.rng = new Rng(seed);
  }

  /**
   * 1. per image and channel: Laplacian pyramid (levels at res, res/2, ...);
   * 2. per level: 128 random centres (x, y) in [3, s-3), descriptor = C x 7 x 7 patch (channel, dy, dx).
   */
  feed(batch: ImageBatch): void {
    const [n, c, h, w] = batch.shape;
    if (h !== this.resolution || w !== this.resolution) throw new Error(`SwdDescriptors.feed: images must be ${this.resolution}x${this.resolution} (got ${h}x${w})`);
    if (this.channels !== null && c !== this.channels) throw new Error(`SwdDescriptors.feed: channel count changed (got ${c}, had ${this.channels})`);
    this.channels = c;
    const half = SWD_NHOOD >> 1;
    const dim = c * SWD_NHOOD * SWD_NHOOD;
    for (let img = 0; img < n; img++) {
      const pyramids = Array.from({ length: c }, (_, ch) => {
        const plane = Float32Array.from(batch.data.subarray((img * c + ch) * h * w, (img * c + ch + 1) * h * w));
        return laplacianPyramid(plane, h, this.resolutions.length);
      });
      this.resolutions.forEach((s, lod) => {
        const desc = new Float32Array(SWD_NHOODS_PER_IMAGE * dim);
        for (let k = 0; k < SWD_NHOODS_PER_IMAGE; k++) {
          const cx = half + this.rng.int(s - 2 * half);
          const cy = half + this.rng.int(s - 2 * half);
          let o = k * dim;
          for (let ch = 0; ch < c; ch++) {
            const level = pyramids[ch][lod];
            for (let dy = -half; dy <= half; dy++) for (let dx = -half; dx <= half; dx++) desc[o++] = level[(cy + dy) * s + cx + dx];
          }
        }
        this.chunks[lod].push(desc);
      });
      this.count += SWD_NHOODS_PER_IMAGE;
    }
  }

  /** Per level: all descriptors [count, C*49], each channel shifted/scaled to mean 0, std 1 over the set. */
  finalize(): Float32Array[] {
    const c = this.channels ?? 1;
    const per = SWD_NHOOD * SWD_NHOOD;
    return this.chunks.map((list) => {
      const all = new Float32Array(this.count * c * per);
      let pos = 0;
      for (const chunk of list) { all.set(chunk, pos); pos += chunk.length; }
      for (let ch = 0; ch < c; ch++) {
        let sum = 0, sumSq = 0;
        for (let r = 0; r < this.count; r++) for (let k = 0; k < per; k++) { const v = all[(r * c + ch) * per + k]; sum += v; sumSq += v * v; }
        const cnt = this.count * per;
        const mean = sum / cnt;
        const std = Math.sqrt(Math.max(sumSq / cnt - mean * mean, 0));
        const inv = std > 0 ? 1 / std : 1;
        for (let r = 0; r < this.count; r++) for (let k = 0; k < per; k++) { const i = (r * c + ch) * per + k; all[i] = (all[i] - mean) * inv; }
      }
      return all;
    });
  }
}

/**
 * Sliced Wasserstein distance between two equal-size descriptor sets [rows, dim]: per repeat draw
 * `dirs` random unit directions, project both sets, sort each projection, mean |a_i - b_i|;
 * averaged over repeats.
 */
export function slicedWasserstein(a: Float32Array, b: Float32Array, dim: number, rng: Rng, repeats = SWD_DIR_REPEATS, dirs = SWD_DIRS_PER_REPEAT): number {
  if (a.length !== b.length || a.length % dim !== 0) throw new Error(`slicedWasserstein: sets must have the same shape (got ${a.length} and ${b.length} values, dim ${dim})`);
  const rows = a.length / dim;
  let total = 0;
  for (let r = 0; r < repeats; r++) {
    const dir = new Float32Array(dim * dirs); // [dim, dirs] as the original, columns normalised
    for (let i = 0; i < dir.length; i++) dir[i] = rng.normal();
    for (let d = 0; d < dirs; d++) {
      let norm = 0;
      for (let k = 0; k < dim; k++) norm += dir[k * dirs + d] ** 2;
      norm = Math.sqrt(norm);
      for (let k = 0; k < dim; k++) dir[k * dirs + d] /= norm;
    }
    const pa = project(a, rows, dim, dir, dirs);
    const pb = project(b, rows, dim, dir, dirs);
    let sum = 0;
    for (let d = 0; d < dirs; d++) {
      const sa = pa.subarray(d * rows, (d + 1) * rows).sort();
      const sb = pb.subarray(d * rows, (d + 1) * rows).sort();
      for (let i = 0; i < rows; i++) sum += Math.abs(sa[i] - sb[i]);
    }
    total += sum / (rows * dirs);
  }
  return total / repeats;
}

/** [rows, dim] x [dim, dirs] -> direction-major [dirs, rows] (so each direction's values sort in place). */
function project(x: Float32Array, rows: number, dim: number, dir: Float32Array, dirs: number): Float32Array {
  const dirT = new Float32Array(dirs * dim); // [dirs, dim]: each direction contiguous for the dot products
  for (let k = 0; k < dim; k++) for (let d = 0; d < dirs; d++) dirT[d * dim + k] = dir[k * dirs + d];
  const out = new Float32Array(rows * dirs);
  for (let i = 0; i < rows; i++) {
    const o = i * dim;
    for (let d = 0; d < dirs; d++) {
      const od = d * dim;
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      let k = 0;
      for (; k + 3 < dim; k += 4) {
        s0 += x[o + k] * dirT[od + k];
        s1 += x[o + k + 1] * dirT[od + k + 1];
        s2 += x[o + k + 2] * dirT[od + k + 2];
        s3 += x[o + k + 3] * dirT[od + k + 3];
      }
      for (; k < dim; k++) s0 += x[o + k] * dirT[od + k];
      out[d * rows + i] = s0 + s1 + s2 + s3;
    }
  }
  return out;
}

/** SWD x1e3 per level (keys `SWDx1e3_<res>`) and their mean (`SWDx1e3_avg`). */
export function computeSwd(real: SwdDescriptors, fake: SwdDescriptors, seed: number): Record<string, number> {
  if (real.count !== fake.count || real.resolution !== fake.resolution || real.channels !== fake.channels) {
    throw new Error(`computeSwd: real and fake sets differ (got ${real.count} vs ${fake.count} descriptors at ${real.resolution} vs ${fake.resolution}px)`);
  }
  const rng = new Rng(seed);
  const dim = (real.channels ?? 1) * SWD_NHOOD * SWD_NHOOD;
  const dr = real.finalize();
  const df = fake.finalize();
  const out: Record<string, number> = {};
  let sum = 0;
  real.resolutions.forEach((res, lod) => {
    const d = slicedWasserstein(dr[lod], df[lod], dim, rng) * 1e3;
    out[`SWDx1e3_${res}`] = d;
    sum += d;
  });
  out.SWDx1e3_avg = sum / real.resolutions.length;
  return out;
}
