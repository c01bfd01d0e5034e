/**
 * `AugmentPipe`: the official ADA pipeline (training/augment.py `AugmentPipe`) for the presets
 * `b` (pixel blitting), `bg` (+ general geometric), `bgc` (+ colour, the official `--aug=ada`
 * default) and `c` (colour only). Applied to every image D sees, real and generated, in both
 * phases; the G phase backpropagates through it, so `apply` is differentiable w.r.t. the images.
 *
 * Split in two so that the random part stays on the CPU and is checkpointable: `drawParams`
 * (pure, from the Rng passed in) and `apply` (tensors only). Layout NHWC, images in [-1, 1]
 * (nothing clamps; colour ops may leave the range, as officially).
 */
import { tf } from '../../backend/tf.ts';
import type { AugmentConfig } from '../../config/types.ts';
import type { Rng } from '../../io/rng.ts';
import { initialAugmentP } from './ada.ts';
import { applyColor } from './color.ts';
import { applyGeometric } from './geometric.ts';
import { isIdentity, type Mat3, type Mat4 } from './matrices.ts';
import { AUGMENT_DEFAULTS, COLOR_OPS, drawColor, drawGeometric, GEOMETRIC_OPS, type AugmentSpec, type DrawContext } from './params.ts';

export type AugmentPipeName = AugmentConfig['pipe'];

const BLIT = { xflip: 1, rotate90: 1, xint: 1 };
const GEOM = { scale: 1, rotate: 1, aniso: 1, xfrac: 1 };
const COLOR = { brightness: 1, contrast: 1, lumaflip: 1, hue: 1, saturation: 1 };

/** The official presets (stylegan2-ada `augpipe_specs`; StyleGAN3's train.py hard-codes `bgc`). */
export const AUGMENT_PIPES: Readonly<Record<AugmentPipeName, Partial<AugmentSpec>>> = {
  b: BLIT,
  bg: { ...BLIT, ...GEOM },
  bgc: { ...BLIT, ...GEOM, ...COLOR },
  c: COLOR,
};

/** One draw for a batch: per-sample inverse geometric (3x3) and colour (4x4) matrices; null = group off. */
export interface AugmentParams {
  geometric: Mat3[] | null;
  color: Mat4[] | null;
}

export interface AugmentPipeOptions {
  pipe: AugmentPipeName;
  p?: number;                        // overall probability multiplier (default 0)
  overrides?: Partial<AugmentSpec>;  // ranges or multipliers on top of the preset (official kwargs)
}

export class AugmentPipe {
  /** The overall augmentation probability; the trainer sets it (ADA) and checkpoints it. */
  p: number;
  readonly pipe: AugmentPipeName;
  readonly spec: Readonly<AugmentSpec>;

  constructor(opts: AugmentPipeOptions) {
    if (!(opts.pipe in AUGMENT_PIPES)) throw new Error(`AugmentPipe: unknown pipe (got ${JSON.stringify(opts.pipe)}; valid: ${Object.keys(AUGMENT_PIPES).join(', ')})`);
    this.pipe = opts.pipe;
    this.p = opts.p ?? 0;
    this.spec = Object.freeze({ ...AUGMENT_DEFAULTS, ...AUGMENT_PIPES[opts.pipe], ...opts.overrides });
  }

  /** The pipe a config asks for, at its initial p; null when it asks for none (as officially: no ADA and p = 0). */
  static fromConfig(cfg: AugmentConfig): AugmentPipe | null {
    if (cfg.kind === 'none') return null;
    const p = initialAugmentP(cfg);
    if (cfg.kind === 'fixed' && p === 0) return null;
    return new AugmentPipe({ pipe: cfg.pipe, p });
  }

  /**
   * Draws the per-sample transforms for a batch of shape [N, H, W, C] (NHWC). `debugPercentile`
   * in (0, 1) is the official debug mode: every enabled op at that percentile, no post-rotation.
   */
  drawParams(rng: Rng, shape: readonly number[], debugPercentile: number | null = null): AugmentParams {
    const [n, height, width, channels] = shape as [number, number, number, number];
    if (shape.length !== 4) throw new Error(`AugmentPipe: images must be NHWC rank 4 (got shape [${shape}])`);
    if (!Number.isFinite(this.p) || this.p < 0) throw new Error(`AugmentPipe: p must be a finite number >= 0 (got ${this.p})`);
    if (debugPercentile != null && !(debugPercentile > 0 && debugPercentile < 1)) {
      throw new Error(`AugmentPipe: debugPercentile must be in (0, 1) (got ${debugPercentile})`);
    }
    const ctx: DrawContext = { rng, p: this.p, n, width, height, channels, debugPercentile };
    const has = (ops: readonly (keyof AugmentSpec)[]) => ops.some((k) => this.spec[k] > 0);
    return {
      geometric: has(GEOMETRIC_OPS) ? drawGeometric(this.spec, ctx) : null,
      color: has(COLOR_OPS) ? drawColor(this.spec, ctx) : null,
    };
  }

  /**
   * Executes drawn params on images [N, H, W, C] -> [N, H, W, C]: geometric, then colour. A group
   * whose matrices are all exactly the identity (nothing fired, e.g. p = 0) is skipped, so p = 0
   * returns the input values exactly. (The official code resamples whenever a group is enabled,
   * which is the identity only up to float32 rounding, ~1e-7.)
   */
  apply(images: tf.Tensor4D, params: AugmentParams): tf.Tensor4D {
    return tf.tidy(() => {
      let x = images;
      if (params.geometric != null && !params.geometric.every(isIdentity)) x = applyGeometric(x, params.geometric);
      if (params.color != null && !params.color.every(isIdentity)) x = applyColor(x, params.color);
      return x === images ? tf.clone(images) : x; // a new tensor either way: the caller may dispose it
    });
  }

  /** drawParams + apply: the official `forward`. */
  augment(images: tf.Tensor4D, rng: Rng, opts: { debugPercentile?: number | null } = {}): tf.Tensor4D {
    return this.apply(images, this.drawParams(rng, images.shape, opts.debugPercentile ?? null));
  }
}
