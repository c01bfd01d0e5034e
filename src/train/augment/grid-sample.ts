/**
 * The two resampling primitives the geometric augmentation needs, written with plain tf ops so
 * that they run (and differentiate) on every backend. Layout NHWC (official: NCHW).
 *
 * - `reflectPad`: torch's `F.pad(mode='reflect')` (mirror without repeating the edge). tfjs has
 *   `mirrorPad`, but its registered gradient only slices the centre back out and drops what the
 *   mirrored copies contributed, so it is built from slice + reverse + concat, whose gradients
 *   are right.
 * - `sampleAffine`: `F.grid_sample(mode='bilinear', padding_mode='zeros', align_corners=False)`
 *   for a per-sample affine grid, as four gathers. Its gradient w.r.t. the image is a custom
 *   scatter-add (tf.scatterND sums duplicate indices): tfjs's own gather gradient needs
 *   UnsortedSegmentSum, which the wasm backend lacks. No gradient flows to the grid (the official
 *   pipeline does not need one either: the transform parameters are not trained).
 */
import { tf } from '../../backend/tf.ts';

/** Mirror-pads one axis (1 = H, 2 = W) of NHWC x by lo/hi samples; each must be < that size. */
function reflectAxis(x: tf.Tensor4D, axis: 1 | 2, lo: number, hi: number): tf.Tensor4D {
  const n = x.shape[axis];
  if (lo < 0 || hi < 0 || lo >= n || hi >= n) throw new Error(`reflectPad: padding ${lo}, ${hi} must be in [0, ${n - 1}] for size ${n} (got axis ${axis})`);
  const parts: tf.Tensor4D[] = [];
  const size = (len: number) => x.shape.map((s, i) => (i === axis ? len : s)) as [number, number, number, number];
  const at = (start: number) => x.shape.map((_, i) => (i === axis ? start : 0)) as [number, number, number, number];
  if (lo > 0) parts.push(tf.reverse(tf.slice(x, at(1), size(lo)), axis));          // x[lo], ..., x[1]
  parts.push(x);
  if (hi > 0) parts.push(tf.reverse(tf.slice(x, at(n - 1 - hi), size(hi)), axis)); // x[n-2], ..., x[n-1-hi]
  return parts.length === 1 ? x : tf.concat(parts, axis);
}

/** torch `F.pad(x, [x0, x1, y0, y1], mode='reflect')` on NHWC x. */
export function reflectPad(x: tf.Tensor4D, [x0, x1, y0, y1]: [number, number, number, number]): tf.Tensor4D {
  return tf.tidy(() => reflectAxis(reflectAxis(x, 2, x0, x1), 1, y0, y1));
}

/**
 * Bilinear sampling of x [N, H, W, C] on an affine grid, per sample n and output pixel (i, j):
 *     ix = m[n,0] * j + m[n,1] * i + m[n,2],   iy = m[n,3] * j + m[n,4] * i + m[n,5]
 * in input pixel indices (pixel centres at integers). Steps:
 *  1. ix, iy as [N, outH, outW] float32; corners x0 = floor(ix), x0 + 1 (likewise y);
 *  2. per corner: weight (torch's form, e.g. nw = (x0 + 1 - ix) * (y0 + 1 - iy)) times "inside the
 *     image" (zeros padding), flat row index n*H*W + y*W + x (clamped) -> idx, w: [4, M], M = N*outH*outW;
 *  3. out[m] = sum_k w[k, m] * x_rows[idx[k, m]] -> [N, outH, outW, C].
 */
export function sampleAffine(x: tf.Tensor4D, m: Float64Array, outH: number, outW: number): tf.Tensor4D {
  const [N, H, W, C] = x.shape;
  if (m.length !== N * 6) throw new Error(`sampleAffine: need 6 coefficients per sample (got ${m.length} for batch ${N})`);
  return tf.tidy(() => {
    const coef = tf.tensor2d(Float32Array.from(m), [N, 6]);
    const col = (k: number) => tf.reshape(tf.slice(coef, [0, k], [N, 1]), [N, 1, 1]);
    const j = tf.reshape(tf.range(0, outW, 1, 'float32'), [1, 1, outW]);
    const i = tf.reshape(tf.range(0, outH, 1, 'float32'), [1, outH, 1]);
    const ix = tf.add(tf.add(tf.mul(col(0), j), tf.mul(col(1), i)), col(2));
    const iy = tf.add(tf.add(tf.mul(col(3), j), tf.mul(col(4), i)), col(5));
    const x0 = tf.floor(ix), y0 = tf.floor(iy);
    const x1 = tf.add(x0, 1), y1 = tf.add(y0, 1);
    const wx = [tf.sub(x1, ix), tf.sub(ix, x0)], wy = [tf.sub(y1, iy), tf.sub(iy, y0)];
    const xs = [x0, x1], ys = [y0, y1];
    const int = (v: number) => tf.scalar(v, 'int32'); // a bare number would promote int32 to float32
    const base = tf.reshape(tf.mul(tf.range(0, N, 1, 'int32'), int(H * W)), [N, 1, 1]);
    const idx: tf.Tensor[] = [], w: tf.Tensor[] = [];
    for (const dy of [0, 1]) {
      for (const dx of [0, 1]) {
        const cx = xs[dx]!, cy = ys[dy]!;
        const inside = tf.logicalAnd(tf.logicalAnd(tf.greaterEqual(cx, 0), tf.lessEqual(cx, W - 1)),
          tf.logicalAnd(tf.greaterEqual(cy, 0), tf.lessEqual(cy, H - 1)));
        w.push(tf.where(inside, tf.mul(wx[dx]!, wy[dy]!), tf.zerosLike(cx)));
        const xi = tf.cast(tf.clipByValue(cx, 0, W - 1), 'int32'), yi = tf.cast(tf.clipByValue(cy, 0, H - 1), 'int32');
        idx.push(tf.add(base, tf.add(tf.mul(yi, int(W)), xi)));
      }
    }
    const M = N * outH * outW;
    const out = gatherBilinear(tf.reshape(x, [N * H * W, C]), tf.reshape(tf.stack(idx), [4 * M]), tf.reshape(tf.stack(w), [4, M, 1]));
    return tf.reshape(out, [N, outH, outW, C]);
  });
}

/**
 * out[m] = sum_k w[k, m] * rows[idx[k*M + m]] with a scatter-add gradient for `rows`.
 * idx [4M] int32, w [4, M, 1] -> out [M, C].
 */
function gatherBilinear(rows: tf.Tensor2D, idx: tf.Tensor1D, w: tf.Tensor3D): tf.Tensor2D {
  const [R, C] = rows.shape;
  const M = w.shape[1];
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [r, save] = args as [tf.Tensor2D, tf.GradSaveFunc];
    save([idx, w]);
    const value = tf.sum(tf.mul(tf.reshape(tf.gather(r, idx), [4, M, C]), w), 0);
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sIdx, sW] = saved as [tf.Tensor1D, tf.Tensor3D];
      const updates = tf.reshape(tf.mul(sW, tf.reshape(dy, [1, M, C])), [4 * M, C]);
      return tf.scatterND(tf.reshape(sIdx, [4 * M, 1]), updates, [R, C]);
    };
    return { value, gradFunc };
  });
  return op(rows) as tf.Tensor2D;
}
