/**
 * Image-space transforms of the equivariance metrics (official `metrics/equivariance.py`,
 * Alias-Free GAN Appendix E), as reference implementations in plain TS on NCHW float32 batches.
 * Each returns the transformed batch and its validity mask (0/1, same shape). Every plane
 * (image, channel) is transformed independently with the same parameters.
 *
 * Conventions, as the official code: translations are fractions of the image size, positive =
 * right/down; `upfirdn2d` filters are true convolutions (flipped), `grid_sample` uses
 * align_corners=False, bilinear with zero padding for images and nearest for masks.
 */
import type { ImageBatch } from './images.ts';
import { constructAffineBandlimitFilter, rotationMatrix, sinc } from './eq-filter.ts';

export type FloatBatch = ImageBatch & { data: Float32Array };
export interface Transformed { out: FloatBatch; mask: FloatBatch }

function blank(x: FloatBatch): FloatBatch {
  return { data: new Float32Array(x.data.length), shape: x.shape };
}

/** Planes share the mask: writes `m` [H, W] into every plane of a batch-shaped mask. */
function broadcastMask(x: FloatBatch, m: Float32Array): FloatBatch {
  const mask = blank(x);
  for (let p = 0; p < mask.data.length; p += m.length) mask.data.set(m, p);
  return mask;
}

/** torch.round: half to even. */
export function roundHalfEven(v: number): number {
  const r = Math.round(v);
  return Math.abs(v % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** T_x of Appendix E.1: shift by round(t * size) whole pixels; vacated pixels are 0 and masked out. */
export function applyIntegerTranslation(x: FloatBatch, tx: number, ty: number): Transformed {
  const [n, c, h, w] = x.shape;
  const ix = roundHalfEven(Math.fround(tx * w));
  const iy = roundHalfEven(Math.fround(ty * h));
  const out = blank(x);
  const m = new Float32Array(h * w);
  if (Math.abs(ix) < w && Math.abs(iy) < h) {
    for (let y = Math.max(iy, 0); y < h + Math.min(iy, 0); y++) {
      for (let xx = Math.max(ix, 0); xx < w + Math.min(ix, 0); xx++) m[y * w + xx] = 1;
    }
    for (let p = 0; p < n * c; p++) {
      const o = p * h * w;
      for (let y = Math.max(iy, 0); y < h + Math.min(iy, 0); y++) {
        for (let xx = Math.max(ix, 0); xx < w + Math.min(ix, 0); xx++) out.data[o + y * w + xx] = x.data[o + (y - iy) * w + xx - ix];
      }
    }
  }
  return { out, mask: broadcastMask(x, m) };
}

/** Normalised Lanczos-windowed sinc taps for a fractional shift `frac`: taps k - (a-1), k = 0..2a-1. */
function lanczosTaps(frac: number, a: number): Float64Array {
  const f = new Float64Array(2 * a);
  let sum = 0;
  for (let k = 0; k < 2 * a; k++) {
    const t = k - (a - 1) - frac;
    f[k] = sinc(t) * sinc(t / a);
    sum += f[k];
  }
  for (let k = 0; k < 2 * a; k++) f[k] = Math.fround(f[k] / sum);
  return f;
}

/**
 * T_x of Appendix E.2: shift by t * size pixels with a separable Lanczos (a = 3) interpolation.
 * out[Y][X] = sum_{my, mx} fy[my] fx[mx] x[Y - iy + b - my][X - ix + b - mx] (b = a - 1, zero outside)
 * inside [max(i - b, 0), min(i + a, 0) + size) per axis; the mask keeps only pixels whose whole
 * footprint was inside the input.
 */
export function applyFractionalTranslation(x: FloatBatch, tx: number, ty: number, a = 3): Transformed {
  const [n, c, h, w] = x.shape;
  const txs = Math.fround(tx * w), tys = Math.fround(ty * h);
  const ix = Math.floor(txs), iy = Math.floor(tys);
  const b = a - 1;
  const out = blank(x);
  const [zx0, zx1] = [Math.max(ix - b, 0), Math.min(ix + a, 0) + w];
  const [zy0, zy1] = [Math.max(iy - b, 0), Math.min(iy + a, 0) + h];
  if (zx0 < zx1 && zy0 < zy1) {
    const fx = lanczosTaps(Math.fround(txs - ix), a);
    const fy = lanczosTaps(Math.fround(tys - iy), a);
    const tmp = new Float64Array(h * w);
    for (let p = 0; p < n * c; p++) {
      const o = p * h * w;
      for (let y = 0; y < h; y++) { // x pass, only the output columns that are kept
        for (let X = zx0; X < zx1; X++) {
          let s = 0;
          for (let k = 0; k < 2 * a; k++) { const j = X - ix + b - k; if (j >= 0 && j < w) s += fx[k] * x.data[o + y * w + j]; }
          tmp[y * w + X] = s;
        }
      }
      for (let Y = zy0; Y < zy1; Y++) { // y pass
        for (let X = zx0; X < zx1; X++) {
          let s = 0;
          for (let k = 0; k < 2 * a; k++) { const j = Y - iy + b - k; if (j >= 0 && j < h) s += fy[k] * tmp[j * w + X]; }
          out.data[o + Y * w + X] = s;
        }
      }
    }
  }
  const m = new Float32Array(h * w);
  for (let y = Math.max(iy + a, 0); y < Math.min(iy - b, 0) + h; y++) {
    for (let xx = Math.max(ix + a, 0); xx < Math.min(ix - b, 0) + w; xx++) m[y * w + xx] = 1;
  }
  return { out, mask: broadcastMask(x, m) };
}

/** 3x3 inverse (row-major) by cofactors, float64. */
function inverse3(m: number[]): number[] {
  const [a, b, c, d, e, f, g, h, i] = m;
  const A = e * i - f * h, B = -(d * i - f * g), C = d * h - e * g;
  const det = a * A + b * B + c * C;
  return [A, -(b * i - c * h), b * f - c * e, B, a * i - c * g, -(a * f - c * d), C, -(a * h - b * g), a * e - b * d].map((v) => v / det);
}

/**
 * apply_affine_transformation: resample x under `mat` (3x3 row-major) with the band-limiting filter.
 * 1. f = constructAffineBandlimitFilter(mat, up, a, amax) [S, S], p = S // 2.
 * 2. Y = upsample2d(x, f, up, padding p): zero insertion, true convolution, gain up^2;
 *    [H, W] -> [H up + 2p, W up + 2p]. Only the samples step 3 reads are evaluated (polyphase).
 * 3. Output pixel (i, j) samples Y bilinearly (zeros outside) at the official affine_grid position
 *    theta (x_n, y_n, 1), theta = mat^-1 with translation x2, shifted by 1/(up size) and scaled by
 *    size / (size + 2p/up); the mask samples a box that excludes 2p+1 border rows (nearest).
 */
export function applyAffineTransformation(x: FloatBatch, mat: number[], opts: { up?: number; a?: number; amax?: number } = {}): Transformed {
  const up = opts.up ?? 4;
  const [n, c, h, w] = x.shape;
  const { taps: f, size: fs } = constructAffineBandlimitFilter(mat, { up, a: opts.a, amax: opts.amax });
  const p = fs >> 1;
  const hy = h * up + 2 * p, wy = w * up + 2 * p;
  const off = fs - 1 - (p + ((fs + up - 1) >> 1)); // Y[u] = up^2 sum_m f[m] x_up[u + off - m]
  const ff = Float32Array.from(f); // the official filter is float32

  const th = inverse3(mat.map(Math.fround));
  th[2] *= 2; th[5] *= 2;
  th[2] += 1 / up / w; th[5] += 1 / up / h;
  for (let k = 0; k < 3; k++) { th[k] *= w / (w + (p / up) * 2); th[3 + k] *= h / (h + (p / up) * 2); }

  const yAt = (plane: number, u: number, v: number): number => {
    if (u < 0 || u >= hy || v < 0 || v >= wy) return 0;
    let s = 0;
    for (let mr = mod(u + off, up); mr < fs; mr += up) { // taps hitting non-zero rows of x_up
      const sr = (u + off - mr) / up;
      if (sr < 0 || sr >= h) continue;
      for (let mc = mod(v + off, up); mc < fs; mc += up) {
        const sc = (v + off - mc) / up;
        if (sc >= 0 && sc < w) s += ff[mr * fs + mc] * x.data[plane + sr * w + sc];
      }
    }
    return s * up * up;
  };
  const boxMargin = 2 * p + 1;
  const out = blank(x);
  const m = new Float32Array(h * w);
  for (let i = 0; i < h; i++) {
    for (let j = 0; j < w; j++) {
      const xn = (2 * j + 1) / w - 1, yn = (2 * i + 1) / h - 1;
      const gx = th[0] * xn + th[1] * yn + th[2], gy = th[3] * xn + th[4] * yn + th[5];
      const ux = ((gx + 1) * wy - 1) / 2, uy = ((gy + 1) * hy - 1) / 2;
      const nx = roundHalfEven(ux), ny = roundHalfEven(uy);
      m[i * w + j] = ny >= boxMargin && ny < hy - boxMargin && nx >= boxMargin && nx < wy - boxMargin ? 1 : 0;
      const x0 = Math.floor(ux), y0 = Math.floor(uy), ax = ux - x0, ay = uy - y0;
      for (let pl = 0; pl < n * c; pl++) {
        const o = pl * h * w;
        out.data[o + i * w + j] = (1 - ay) * ((1 - ax) * yAt(o, y0, x0) + ax * yAt(o, y0, x0 + 1))
          + ay * ((1 - ax) * yAt(o, y0 + 1, x0) + ax * yAt(o, y0 + 1, x0 + 1));
      }
    }
  }
  return { out, mask: broadcastMask(x, m) };
}

function mod(i: number, n: number): number {
  return ((i % n) + n) % n;
}

/** R_alpha of Appendix E.3: rotation by `angle` radians (a = 3, amax = 6, up = 4). */
export function applyFractionalRotation(x: FloatBatch, angle: number, a = 3): Transformed {
  return applyAffineTransformation(x, rotationMatrix(angle), { a, amax: a * 2, up: 4 });
}

/**
 * R*_alpha of Appendix E.3: the frequency content of a rotation without rotating: filter2d with the
 * band-limit filter of rotation_matrix(-angle) at up = 1 ([11, 11], same size, zero padding);
 * the mask drops the 5-pixel border.
 */
export function applyFractionalPseudoRotation(x: FloatBatch, angle: number, a = 3): Transformed {
  const [n, c, h, w] = x.shape;
  const { taps, size: fs } = constructAffineBandlimitFilter(rotationMatrix(-Math.fround(angle)), { a, amax: a * 2, up: 1 });
  const f = Float32Array.from(taps);
  const r = fs >> 1;
  const out = blank(x);
  for (let pl = 0; pl < n * c; pl++) {
    const o = pl * h * w;
    for (let i = 0; i < h; i++) {
      for (let j = 0; j < w; j++) {
        let s = 0;
        for (let mr = 0; mr < fs; mr++) {
          const si = i + r - mr;
          if (si < 0 || si >= h) continue;
          for (let mc = 0; mc < fs; mc++) {
            const sj = j + r - mc;
            if (sj >= 0 && sj < w) s += f[mr * fs + mc] * x.data[o + si * w + sj];
          }
        }
        out.data[o + i * w + j] = s;
      }
    }
  }
  const m = new Float32Array(h * w);
  for (let i = r; i < h - r; i++) for (let j = r; j < w - r; j++) m[i * w + j] = 1;
  return { out, mask: broadcastMask(x, m) };
}
