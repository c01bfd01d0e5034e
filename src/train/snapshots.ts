/**
 * Image snapshots as the official training loop writes them (setup_snapshot_image_grid,
 * save_image_grid): `reals.png` (a fixed random selection of the dataset), `fakes_init.png` and
 * `fakes<label>.png` (G_ema on one fixed grid of latents, noise_mode 'const'), each also as a
 * TensorBoard image.
 *
 * Grid size: gw x gh from the plan (training.grid_w/grid_h): config train.grid, or when it is null
 * the official gw = clip(7680 // W, 7, 32) by gh = clip(4320 // H, 4, 32), i.e. 1024 images below
 * 240 px. The CPU profiles set train.grid [8, 8] in the config file; nothing here shrinks it. A resume
 * reads the run's own plan.json, so a run and its resumes draw the same grid.
 */
import { tf } from '../backend/tf.ts';
import { encodePng, imageGrid } from '../log/index.ts';
import type { Generator } from '../nets/index.ts';
import { Rng } from '../io/rng.ts';
import type { Session } from './session.ts';

/** The stream of the grid's own draws (dataset selection, latents): independent of training. */
const GRID_STREAM = 0x9a1d;

export interface SnapshotGrid {
  gw: number;
  gh: number;
  z: Float32Array;               // [gw * gh, z_dim], fixed for the whole run (and its resumes)
}

export function setupGrid(s: Session): SnapshotGrid {
  const gw = s.plan.training.grid_w, gh = s.plan.training.grid_h;
  const rng = new Rng(s.config.train.seed * 0x10000 + GRID_STREAM);
  return { gw, gh, z: Float32Array.from(rng.unpairedNormals(gw * gh * s.plan.mapping.z_dim)) };
}

function writeGrid(s: Session, name: string, tag: string, images: ArrayLike<number>, shape: [number, number, number, number], grid: SnapshotGrid, drange: [number, number]): void {
  const img = imageGrid(images, shape, { gridW: grid.gw, gridH: grid.gh, drange });
  const png = encodePng(img.pixels, img.width, img.height, img.channels);
  s.ctx.runDir.writeImage(name, png);
  s.ctx.runDir.events.image(tag, png, img.width, img.height, img.channels, s.curNimg);
}

/** reals.png: gw*gh dataset images in a seeded random order (official: shuffled indices, cycled). */
export function writeReals(s: Session, grid: SnapshotGrid): void {
  const { dataset } = s;
  const n = grid.gw * grid.gh;
  const rng = new Rng(s.config.train.seed * 0x10000 + GRID_STREAM + 1);
  const order = Array.from({ length: dataset.size }, (_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(rng.uniform() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const per = dataset.channels * dataset.resolution * dataset.resolution;
  const pixels = new Uint8Array(n * per);
  for (let i = 0; i < n; i++) pixels.set(dataset.read(order[i % order.length]!).image, i * per);
  writeGrid(s, 'reals.png', 'reals', pixels, [n, dataset.channels, dataset.resolution, dataset.resolution], grid, [0, 255]);
}

/** G_ema(grid z) NCHW float, in forwards of batch_per_step images. */
export function renderGrid(G: Generator, grid: SnapshotGrid, batch: number): { data: Float32Array; shape: [number, number, number, number] } {
  const n = grid.gw * grid.gh, zDim = G.zDim;
  const [c, r] = [G.plan.img_channels, G.plan.img_resolution];
  const data = new Float32Array(n * c * r * r);
  for (let i = 0; i < n; i += batch) {
    const m = Math.min(batch, n - i);
    const img = tf.tidy(() => G.forward(tf.tensor2d(grid.z.subarray(i * zDim, (i + m) * zDim), [m, zDim]), null, { noiseMode: 'const' }));
    data.set(img.dataSync() as Float32Array, i * c * r * r);
    img.dispose();
  }
  return { data, shape: [n, c, r, r] };
}

/** `name` (fakes_init.png or fakes<label>.png) from G_ema, also as the TensorBoard image `fakes`. */
export function writeFakes(s: Session, grid: SnapshotGrid, name: string): void {
  const { data, shape } = renderGrid(s.Gema, grid, s.training.batch_per_step);
  writeGrid(s, name, 'fakes', data, shape, grid, [-1, 1]);
}
