/**
 * Executing the colour half of the ADA pipeline (official training/augment.py, "Execute color
 * transformations"; Karras et al. 2020, App. B.3). Layout NHWC (official NCHW).
 */
import { tf } from '../../backend/tf.ts';
import type { Mat4 } from './matrices.ts';

/**
 * Applies one 4x4 homogeneous colour matrix per sample to images [N, H, W, C] -> same shape.
 *  - C = 3: out[n, pixel] = C[n, :3, :3] @ rgb + C[n, :3, 3]  (a batched matMul on [N, H*W, 3]);
 *  - C = 1: as the official code, the three colour rows are averaged into one row r = mean(C[:3, :]),
 *    then out = x * (r0 + r1 + r2) + r3 (a gray pixel is treated as r = g = b = x).
 * Any other channel count is an error, as officially.
 */
export function applyColor(images: tf.Tensor4D, C: Mat4[]): tf.Tensor4D {
  const [N, H, W, ch] = images.shape;
  if (C.length !== N) throw new Error(`applyColor: need one matrix per sample (got ${C.length} for batch ${N})`);
  if (ch !== 3 && ch !== 1) throw new Error(`applyColor: images must be RGB (3 channels) or L (1 channel) (got ${ch} channels)`);
  return tf.tidy(() => {
    if (ch === 3) {
      const lin = new Float32Array(N * 9), off = new Float32Array(N * 3);
      C.forEach((c, n) => {
        for (let r = 0; r < 3; r++) {
          for (let k = 0; k < 3; k++) lin[n * 9 + r * 3 + k] = c[r * 4 + k]!;
          off[n * 3 + r] = c[r * 4 + 3]!;
        }
      });
      const rgb = tf.reshape(images, [N, H * W, 3]);
      // rgb rows times M^T: out[p, r] = sum_k rgb[p, k] * M[r, k].
      const out = tf.add(tf.matMul(rgb, tf.tensor3d(lin, [N, 3, 3]), false, true), tf.tensor3d(off, [N, 1, 3]));
      return tf.reshape(out, [N, H, W, 3]);
    }
    const gain = new Float32Array(N), off = new Float32Array(N);
    C.forEach((c, n) => {
      const row = [0, 1, 2, 3].map((k) => (c[k]! + c[4 + k]! + c[8 + k]!) / 3);
      gain[n] = row[0]! + row[1]! + row[2]!;
      off[n] = row[3]!;
    });
    return tf.add(tf.mul(images, tf.tensor4d(gain, [N, 1, 1, 1])), tf.tensor4d(off, [N, 1, 1, 1]));
  });
}
