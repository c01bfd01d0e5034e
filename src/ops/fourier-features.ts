/**
 * Fourier-feature input of StyleGAN3 (paper Sec. 3.1 and App. F; official `SynthesisInput.forward`)
 * as a pure op over the module's tensors; the module with its parameters lives in nets/.
 * Output layout NHWC [N, height, width, C] (official: NCHW).
 */
import { tf } from '../backend/tf.ts';

export interface FourierFeaturesInputs {
  t: tf.Tensor2D;          // [N, 4] affine output (r_c, r_s, t_x, t_y), before normalisation
  freqs: tf.Tensor2D;      // [C, 2] the stored frequencies (rows [fx, fy])
  phases: tf.Tensor1D;     // [C] the stored phases
  transform: tf.Tensor2D;  // [3, 3] user transform (the `transform` buffer; identity by default)
  weight: tf.Tensor2D;     // [C, C] channel mixing (raw; divided by sqrt(C) here)
}

export interface FourierFeaturesOptions {
  size: [number, number];  // [width, height] of the output, e.g. sampling_rate + 2 * margin
  samplingRate: number;    // s
  bandwidth: number;       // f_c of the first layer
}

/** Per-sample T = m_r @ m_t @ transform ([N, 3, 3]) from the normalised affine output. */
function inputTransforms(t: tf.Tensor2D, transform: tf.Tensor2D): tf.Tensor3D {
  const N = t.shape[0];
  const tn = tf.div(t, tf.norm(tf.slice(t, [0, 0], [N, 2]), 'euclidean', 1, true));
  const [c, s, tx, ty] = tf.unstack(tn, 1) as [tf.Tensor1D, tf.Tensor1D, tf.Tensor1D, tf.Tensor1D];
  const zero = tf.zerosLike(c), one = tf.onesLike(c);
  // Rows of m_r = [[c, -s, 0], [s, c, 0], [0, 0, 1]] and m_t = [[1, 0, -tx], [0, 1, -ty], [0, 0, 1]].
  const mR = tf.reshape(tf.stack([c, tf.neg(s), zero, s, c, zero, zero, zero, one], 1), [N, 3, 3]) as tf.Tensor3D;
  const mT = tf.reshape(tf.stack([one, zero, tf.neg(tx), zero, one, tf.neg(ty), zero, zero, one], 1), [N, 3, 3]) as tf.Tensor3D;
  return tf.matMul(tf.matMul(mR, mT), tf.tile(tf.expandDims(transform, 0), [N, 1, 1])) as tf.Tensor3D;
}

/**
 * Steps (N samples, C channels, W x H = size):
 *  1. t /= |t[:, :2]|; T = m_r @ m_t @ transform (rotate, then translate, then the user transform);
 *  2. phases += f @ T[:2, 2]; f = f @ T[:2, :2] (f the stored freqs)          -> [N, C], [N, C, 2];
 *  3. amplitude = clamp(1 - (|f| - bandwidth) / (s/2 - bandwidth), 0, 1)       -> [N, C];
 *  4. grid x_i = (i + 0.5 - W/2) / s (same for y: affine_grid, align_corners=False);
 *  5. sin(2 pi (x fx + y fy + phase)) * amplitude                               -> [N, H, W, C],
 *     as sin(X + Y) = sin X cos Y + cos X sin Y with X = 2 pi (x fx + phase) [N, 1, W, C] and
 *     Y = 2 pi y fy [N, H, 1, C]: sin and cos on one row and one column of the grid instead of
 *     sin on every pixel (wasm's Sin/Cos take ~40 ms for [4, 36, 36, 128]);
 *  6. channel mixing by weight / sqrt(C), as a 1x1 convolution (the conv kernels are the fast
 *     ones)                                                                     -> [N, H, W, C].
 */
export function fourierFeatures(inputs: FourierFeaturesInputs, opts: FourierFeaturesOptions): tf.Tensor4D {
  const { t, freqs, phases, transform, weight } = inputs;
  const C = freqs.shape[0], N = t.shape[0];
  const [W, H] = opts.size;
  if (t.rank !== 2 || t.shape[1] !== 4) throw new Error(`fourierFeatures: t must be [N, 4] (got [${t.shape}])`);
  if (freqs.shape[1] !== 2 || phases.shape[0] !== C || weight.shape[0] !== C || weight.shape[1] !== C) {
    throw new Error(`fourierFeatures: freqs [C, 2], phases [C], weight [C, C] must agree (got [${freqs.shape}], [${phases.shape}], [${weight.shape}])`);
  }
  if (transform.shape[0] !== 3 || transform.shape[1] !== 3) throw new Error(`fourierFeatures: transform must be [3, 3] (got [${transform.shape}])`);
  return tf.tidy(() => {
    const T = inputTransforms(t, transform);
    const fB = tf.tile(tf.expandDims(freqs, 0), [N, 1, 1]) as tf.Tensor3D;                 // [N, C, 2]
    const ph = tf.add(phases, tf.squeeze(tf.matMul(fB, tf.slice(T, [0, 0, 2], [N, 2, 1])), [2]));  // [N, C]
    const f = tf.matMul(fB, tf.slice(T, [0, 0, 0], [N, 2, 2]));                            // [N, C, 2]
    const amp = tf.clipByValue(tf.sub(1, tf.div(tf.sub(tf.norm(f, 'euclidean', 2), opts.bandwidth), opts.samplingRate / 2 - opts.bandwidth)), 0, 1);
    const gx = tf.div(tf.sub(tf.add(tf.range(0, W), 0.5), W / 2), opts.samplingRate);      // [W]
    const gy = tf.div(tf.sub(tf.add(tf.range(0, H), 0.5), H / 2), opts.samplingRate);      // [H]
    const [fx, fy] = tf.unstack(f, 2);                                                     // [N, C] each
    const a = tf.reshape(amp, [N, 1, 1, C]);
    const X = tf.mul(tf.add(tf.mul(tf.reshape(gx, [1, 1, W, 1]), tf.reshape(fx!, [N, 1, 1, C])), tf.reshape(ph, [N, 1, 1, C])), 2 * Math.PI);
    const Y = tf.mul(tf.mul(tf.reshape(gy, [1, H, 1, 1]), tf.reshape(fy!, [N, 1, 1, C])), 2 * Math.PI);
    const feats = tf.add(tf.mul(tf.mul(a, tf.sin(X)), tf.cos(Y)), tf.mul(tf.mul(a, tf.cos(X)), tf.sin(Y)));  // [N, H, W, C]
    const mix = tf.reshape(tf.transpose(tf.div(weight, Math.sqrt(C))), [1, 1, C, C]) as tf.Tensor4D;    // OI -> HWIO
    return tf.conv2d(feats as tf.Tensor4D, mix, 1, 'valid');
  });
}
