/**
 * Sampling images from a generator the way the official gen_images.py does: z -> G.mapping with
 * truncation -> G.synthesis with a noise mode and the input transform -> 8-bit pixels
 * `(img * 127.5 + 128).clamp(0, 255).to(uint8)`. Plain arrays out (NCHW floats, NHWC bytes).
 */
import { tf } from '../backend/tf.ts';
import type { Generator } from './generator.ts';
import type { NoiseMode } from './synthesis-layer.ts';

export interface SampleOptions {
  truncationPsi?: number;
  noiseMode?: NoiseMode;        // default 'const' (gen_images.py's default)
  batch?: number;               // images per forward pass (memory bound), default 8
}

export interface Samples {
  n: number;
  img: Float32Array;            // NCHW [n, C, H, W], after output_scale (what the official G(z) returns)
  imgShape: [number, number, number, number];
  ws: Float32Array;             // [n, num_ws, w_dim]
  wsShape: [number, number, number];
}

/** Runs G on z ([n, z_dim] row-major) in batches: mapping with truncation, then synthesis. */
export function sampleImages(G: Generator, z: Float32Array, opts: SampleOptions = {}): Samples {
  const zDim = G.zDim;
  const n = z.length / zDim;
  if (!Number.isInteger(n) || n < 1) throw new Error(`sampleImages: z has ${z.length} values, not a positive multiple of z_dim ${zDim}`);
  const batch = opts.batch ?? 8;
  const res = G.plan.img_resolution, ch = G.plan.img_channels;
  const img = new Float32Array(n * ch * res * res);
  const ws = new Float32Array(n * G.numWs * G.wDim);
  for (let i = 0; i < n; i += batch) {
    const m = Math.min(batch, n - i);
    tf.tidy(() => {
      const zb = tf.tensor2d(z.subarray(i * zDim, (i + m) * zDim), [m, zDim]);
      const w = G.mapping(zb, null, { truncationPsi: opts.truncationPsi ?? 1 });
      const x = G.synthesis(w, { noiseMode: opts.noiseMode ?? 'const' });
      ws.set(w.dataSync(), i * G.numWs * G.wDim);
      img.set(x.dataSync(), i * ch * res * res);
    });
  }
  return { n, img, imgShape: [n, ch, res, res], ws, wsShape: [n, G.numWs, G.wDim] };
}

/** gen_images.py's 8-bit conversion: NCHW floats -> NHWC bytes, (x * 127.5 + 128) clamped to [0, 255], truncated. */
export function toUint8Nhwc(img: Float32Array, shape: [number, number, number, number]): Uint8Array {
  const [n, c, h, w] = shape;
  const out = new Uint8Array(n * h * w * c);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < c; k++) {
      for (let p = 0; p < h * w; p++) {
        const v = Math.fround(Math.fround(img[(i * c + k) * h * w + p]! * 127.5) + 128);
        out[(i * h * w + p) * c + k] = v > 255 ? 255 : v > 0 ? Math.trunc(v) : 0; // NaN -> 0
      }
    }
  }
  return out;
}

/** Tiles n NHWC byte images into a grid of ceil(sqrt(n)) columns (row-major; unused cells black). */
export function tileGrid(pixels: Uint8Array, n: number, h: number, w: number, c: number): { pixels: Uint8Array; width: number; height: number } {
  const cols = Math.ceil(Math.sqrt(n));
  const rows = Math.ceil(n / cols);
  const width = cols * w, height = rows * h;
  const out = new Uint8Array(width * height * c);
  for (let i = 0; i < n; i++) {
    const x0 = (i % cols) * w, y0 = Math.floor(i / cols) * h;
    for (let y = 0; y < h; y++) {
      const src = (i * h + y) * w * c;
      out.set(pixels.subarray(src, src + w * c), ((y0 + y) * width + x0) * c);
    }
  }
  return { pixels: out, width, height };
}
