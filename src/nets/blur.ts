/**
 * The Gaussian blur the official StyleGAN2Loss.run_D applies to every image D sees while
 * blur_sigma > 0 (paper Sec. 3.2, config R: "we blur all images the discriminator sees").
 */
import { tf } from '../backend/tf.ts';
import { filter2d } from '../ops/upfirdn2d.ts';

/** run_D's taps for `sigma`: f_k = 2^(-(k/sigma)^2), k = -floor(3 sigma)..floor(3 sigma), divided by their sum; null when floor(3 sigma) = 0. */
export function blurTapsFor(sigma: number): Float32Array | null {
  const size = Math.floor(sigma * 3);
  if (!(size > 0)) return null;
  const f = Float32Array.from({ length: 2 * size + 1 }, (_, i) => Math.fround(Math.pow(2, -Math.pow((i - size) / sigma, 2))));
  let sum = 0;
  for (const v of f) sum += v;
  return f.map((v) => v / sum);
}

/**
 * img NCHW [N, C, H, W] -> blurred NCHW of the same size (the input is returned as a clone when
 * floor(3 sigma) = 0): filter2d with the separable taps, zero padding floor(n/2) on each side.
 */
export function blurImages(img: tf.Tensor4D, sigma: number): tf.Tensor4D {
  const taps = blurTapsFor(sigma);
  if (!taps) return tf.clone(img);
  return tf.tidy(() => {
    const nhwc = tf.transpose(img, [0, 2, 3, 1]) as tf.Tensor4D; // NCHW -> NHWC
    const y = filter2d(nhwc, tf.tensor1d(taps));
    return tf.transpose(y, [0, 3, 1, 2]) as tf.Tensor4D;         // NHWC -> NCHW
  });
}
