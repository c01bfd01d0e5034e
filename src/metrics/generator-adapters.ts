/**
 * The metrics' inputs built from a real generator and dataset: an EquivarianceTarget and an
 * ImageGenerator over a nets/ Generator (official `compute_equivariance_metrics` and
 * `compute_feature_stats_for_generator`), and a RealImageSource over a data/ ImageDataset.
 *
 * Randomness is ours, from explicit seeds (src/io/rng.ts), never torch's: z, the re-randomised
 * StyleGAN2 noise buffers and the per-batch noise seeds of `noise_mode='random'` each come from their
 * own stream derived from the seed, so the same seed gives the same metric on every backend.
 * Images cross as NCHW float32 (the official layout), as G.synthesis returns them.
 */
import { tf } from '../backend/tf.ts';
import type { ImageDataset } from '../data/types.ts';
import type { Generator } from '../nets/generator.ts';
import type { RealImageSource } from './compute.ts';
import type { FloatBatch } from './eq-ops.ts';
import type { EquivarianceTarget } from './equivariance.ts';
import type { ImageGenerator } from './images.ts';
import { Rng } from '../io/rng.ts';

export interface GeneratorSourceOptions {
  seed?: number;            // default 0
  batch?: number;           // images per G forward for FID/KID/SWD (default 16); EQ uses the metric's own batch (4)
  truncationPsi?: number;   // default 1, as the official metrics
}

/** Independent streams of one seed (z, noise buffers, noise seeds) so that adding a draw to one never shifts another. */
export function streamRng(seed: number, stream: number): Rng {
  return new Rng(Math.imul(seed | 0, 0x9e3779b1) ^ Math.imul(stream + 1, 0x85ebca6b));
}

/** z [n, z_dim] of standard normal draws, row-major. */
function drawZ(rng: Rng, n: number, zDim: number): tf.Tensor2D {
  const z = new Float32Array(n * zDim);
  rng.fillNormal(z);
  return tf.tensor2d(z, [n, zDim]);
}

/** Whether G's input can be translated and rotated (Fourier features, rows B-R). */
export function hasInputTransform(G: Generator): boolean {
  return G.synthesisNetwork.input.transform !== null;
}

/**
 * The buffers the adapters overwrite (synthesis.input.transform, every `.noise_const`), saved
 * once so that `restore()` puts G back as it was: a trainer's G_ema must leave a metric unchanged.
 */
export class BufferGuard {
  private saved: Map<string, tf.Tensor> | null;

  constructor(private readonly G: Generator) {
    const names = G.state.entries().map((e) => e.name).filter((n) => n === 'synthesis.input.transform' || n.endsWith('.noise_const'));
    this.saved = new Map(names.map((n) => [n, tf.clone(G.state.get(n))]));
  }

  noiseBuffers(): tf.Variable[] {
    return [...this.saved?.keys() ?? []].filter((n) => n.endsWith('.noise_const')).map((n) => this.G.state.get(n));
  }

  restore(): void {
    if (!this.saved) return;
    this.G.state.restoreBuffers(this.saved);
    for (const t of this.saved.values()) t.dispose();
    this.saved = null;
  }
}

function setTransform(G: Generator, m: number[]): void {
  G.setInputTransform([m.slice(0, 3), m.slice(3, 6), m.slice(6, 9)]);
}

/** Renders ws under a transform: NCHW float32 images read back from the backend. */
export function renderWs(G: Generator, ws: tf.Tensor3D, transform: number[]): FloatBatch {
  setTransform(G, transform);
  const img = G.synthesis(ws, { noiseMode: 'const' });
  const data = img.dataSync() as Float32Array;
  const shape = img.shape as [number, number, number, number];
  img.dispose();
  return { data, shape };
}

/**
 * EQ-T / EQ-R target over G (official compute_equivariance_metrics, per batch):
 * 1. every `noise_const` buffer <- N(0, 1) (rows A-B only; the official loop re-randomises them);
 * 2. z [batch, z_dim] ~ N(0, 1); ws = G.mapping(z, truncation psi) [batch, num_ws, w_dim];
 * 3. render(M): synthesis.input.transform <- M, img = G.synthesis(ws, noise 'const') NCHW.
 * The ws of a batch lives until the next sample() or release(). Throws for a constant input (row A).
 */
export function equivarianceTargetForGenerator(G: Generator, guard: BufferGuard, opts: GeneratorSourceOptions = {}): EquivarianceTarget & { release(): void } {
  if (!hasInputTransform(G)) throw new Error('equivarianceTargetForGenerator: the generator has a constant input (row A); EQ-T/EQ-R need Fourier features');
  const zRng = streamRng(opts.seed ?? 0, 0);
  const noiseRng = streamRng(opts.seed ?? 0, 1);
  let ws: tf.Tensor3D | null = null;
  const release = () => { ws?.dispose(); ws = null; };
  return {
    resolution: G.plan.img_resolution,
    async sample(batch) {
      release();
      for (const buf of guard.noiseBuffers()) {
        const noise = new Float32Array(buf.size);
        noiseRng.fillNormal(noise);
        tf.tidy(() => buf.assign(tf.tensor(noise, buf.shape)));
      }
      const current = tf.tidy(() => G.mapping(drawZ(zRng, batch, G.zDim), null, { truncationPsi: opts.truncationPsi ?? 1 }));
      ws = current;
      return async (transform) => renderWs(G, current, transform);
    },
    release,
  };
}

/**
 * FID/KID/SWD generator over G (official compute_feature_stats_for_generator): z ~ N(0, 1), then
 * G(z) with the identity input transform and `noise_mode='random'` (the official default; its seed
 * drawn per batch), in forwards of at most `batch` images. NCHW float in about [-1, 1].
 */
export function imageGeneratorForGenerator(G: Generator, opts: GeneratorSourceOptions = {}): ImageGenerator {
  const zRng = streamRng(opts.seed ?? 0, 2);
  const noiseSeeds = streamRng(opts.seed ?? 0, 3);
  const step = opts.batch ?? 16;
  const [res, ch] = [G.plan.img_resolution, G.plan.img_channels];
  return async (n) => {
    if (hasInputTransform(G)) setTransform(G, [1, 0, 0, 0, 1, 0, 0, 0, 1]);
    const data = new Float32Array(n * ch * res * res);
    for (let i = 0; i < n; i += step) {
      const m = Math.min(step, n - i);
      const noiseSeed = noiseSeeds.nextU32();
      const img = tf.tidy(() => G.synthesis(G.mapping(drawZ(zRng, m, G.zDim), null, { truncationPsi: opts.truncationPsi ?? 1 }), { noiseMode: 'random', noiseSeed }));
      data.set(img.dataSync() as Float32Array, i * ch * res * res);
      img.dispose();
    }
    return { data, shape: [n, ch, res, res] };
  };
}

/**
 * The reals of a dataset in index order (no x-flips: the official metrics turn mirroring off).
 * `identity` names the images for the stats cache; include what changes them (path, size, mtime).
 */
export function realImageSourceForDataset(dataset: ImageDataset, identity: unknown): RealImageSource {
  const { resolution: res, channels: ch } = dataset;
  return {
    identity,
    length: dataset.size,
    resolution: res,
    async read(start, count) {
      const per = ch * res * res;
      const data = new Uint8Array(count * per);
      for (let i = 0; i < count; i++) data.set(dataset.read(start + i).image, i * per);
      return { data, shape: [count, ch, res, res] };
    },
  };
}
