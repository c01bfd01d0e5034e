/**
 * Latents and input transforms for sampling (what the official gen_images.py does around G).
 *
 * Seeds -> z: as the official script, z for seed s is `np.random.RandomState(s).randn(1, z_dim)`
 * (numpy's legacy MT19937 and polar Gaussian, src/io/numpy-random.ts), cast to float32 as G casts
 * it. So `--seeds 0-7` gives the official script's latents, hence its images up to G's own float
 * differences. Each seed is its own RandomState: an odd z_dim's cached Gaussian never reaches the
 * next seed. Seeds are numpy's: integers in [0, 2^32 - 1].
 */
import { NumpyRandomState } from '../io/numpy-random.ts';

/** z [seeds.length, zDim] row-major float32: row i = RandomState(seeds[i]).randn(zDim). */
export function seedsToZ(seeds: number[], zDim: number): Float32Array {
  const z = new Float32Array(seeds.length * zDim);
  seeds.forEach((seed, i) => z.set(new NumpyRandomState(seed).randn(zDim), i * zDim));
  return z;
}

/**
 * The inverse transform the generator's input expects for an output translated by `translate`
 * (fractions of the image, [x, y]) and rotated by `angleDeg` degrees: gen_images.make_transform
 * m = [[cos, sin, tx], [-sin, cos, ty], [0, 0, 1]], then inverted (rows of a 3x3 matrix).
 */
export function makeTransform(translate: [number, number], angleDeg: number): number[][] {
  const a = (angleDeg / 360) * Math.PI * 2;
  const s = Math.sin(a), c = Math.cos(a);
  const [tx, ty] = translate;
  // Inverse of [[R, t], [0, 1]] with R = [[c, s], [-s, c]] (orthonormal): [[R^T, -R^T t], [0, 1]].
  return [
    [c, -s, -(c * tx - s * ty)],
    [s, c, -(s * tx + c * ty)],
    [0, 0, 1],
  ];
}
