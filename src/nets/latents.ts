/**
 * Latents and input transforms for sampling (what the official gen_images.py does around G).
 *
 * Seeds -> z: the official script draws `np.random.RandomState(seed).randn(1, z_dim)` (Mersenne
 * Twister + numpy's legacy Gaussian). We do not reproduce numpy's stream; z for seed s is z_dim
 * draws of sg3's seeded normal generator (xoshiro128** seeded through splitmix32, Box-Muller;
 * src/io/rng.ts, normal()). So seed 0 gives a different image than the official script, but every sg3
 * run, platform and backend gives the same z for the same seed. Pass `--z` to use exact latents.
 */
import { Rng } from '../io/rng.ts';

/** z [seeds.length, zDim] row-major: row i = zDim standard normal draws of Rng(seeds[i]). */
export function seedsToZ(seeds: number[], zDim: number): Float32Array {
  const z = new Float32Array(seeds.length * zDim);
  seeds.forEach((seed, i) => {
    const rng = new Rng(seed);
    for (let j = 0; j < zDim; j++) z[i * zDim + j] = rng.normal();
  });
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
