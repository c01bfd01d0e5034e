/**
 * The FID Inception-v3 on tfjs: uint8-valued NCHW images in, 2048-d pool3 features out, as the
 * official detector (`inception-2015-12-05.pkl`, `return_features=True`).
 *
 * 1. NCHW [N, C, H, W] -> NHWC [N, H, W, C] (tfjs layout); grayscale is repeated to 3 channels.
 * 2. Resize to 299x299 as the official `affine_grid`/`grid_sample(bilinear, border)` with the
 *    theta offset 1/W - 1/299: source coordinate = dst * (in / out), no half-pixel centres — that
 *    is TF's legacy bilinear resize, i.e. tfjs `resizeBilinear(alignCorners=false, halfPixelCenters=false)`.
 * 3. (x - 128) / 128.
 * 4. The layers of `INCEPTION_LAYERS` (conv+bias+ReLU with BN folded, pools, concatenations on the
 *    channel axis, NHWC), ending with Mixed_7c [N, 8, 8, 2048].
 * 5. Mean over H, W -> [N, 2048].
 */
import { tf } from '../../backend/tf.ts';
import type { ImageBatch } from '../images.ts';
import { checkImageBatch } from '../images.ts';
import { INCEPTION_FEATURES, INCEPTION_INPUT_SIZE, INCEPTION_LAYERS, type Layer } from './arch.ts';
import { loadInceptionWeights, type InceptionWeights } from './weights.ts';

/** A feature network for FID/KID: anything that maps uint8-valued NCHW images to feature rows. */
export interface FeatureNetwork {
  readonly id: string;   // identity for stats-cache keys
  readonly dim: number;  // features per image
  /** images NCHW with values 0..255 (uint8 or float); returns [N, dim] row-major. */
  extract(images: ImageBatch): Promise<Float32Array>;
  dispose(): void;
}

export interface InceptionOptions {
  /** 299 is the FID network; smaller sizes (>= 75) only serve fast tests of the plumbing. */
  inputSize?: number;
  /** Images per forward pass (memory bound: ~50 MB of activations per image at 299). */
  maxBatch?: number;
}

export class InceptionFeatureNet implements FeatureNetwork {
  readonly id: string;
  readonly dim = INCEPTION_FEATURES;
  readonly inputSize: number;
  private readonly maxBatch: number;
  private readonly filters = new Map<string, { filter: tf.Tensor4D; bias: tf.Tensor1D }>();

  constructor(weights: InceptionWeights, opts: InceptionOptions = {}) {
    this.inputSize = opts.inputSize ?? INCEPTION_INPUT_SIZE;
    this.maxBatch = opts.maxBatch ?? 8;
    if (this.inputSize < 75) throw new Error(`InceptionFeatureNet: inputSize must be >= 75 (got ${this.inputSize})`);
    this.id = this.inputSize === INCEPTION_INPUT_SIZE ? weights.id : `${weights.id}@${this.inputSize}px`;
    for (const [name, { spec, weight, bias }] of weights.convs) {
      // OIHW (official) -> HWIO (tfjs conv2d filter layout).
      const filter = tf.tidy(() => tf.transpose(tf.tensor4d(weight, spec.weight), [2, 3, 1, 0]) as tf.Tensor4D);
      this.filters.set(name, { filter, bias: tf.tensor1d(bias) });
    }
  }

  static load(path: string, opts: InceptionOptions = {}): InceptionFeatureNet {
    return new InceptionFeatureNet(loadInceptionWeights(path), opts);
  }

  async extract(images: ImageBatch): Promise<Float32Array> {
    checkImageBatch(images, 'InceptionFeatureNet.extract');
    const [n, c, h, w] = images.shape;
    const out = new Float32Array(n * this.dim);
    const per = c * h * w;
    for (let start = 0; start < n; start += this.maxBatch) {
      const count = Math.min(this.maxBatch, n - start);
      const chunk = images.data.subarray(start * per, (start + count) * per);
      const features = tf.tidy(() => this.forward(preprocessImages({ data: chunk, shape: [count, c, h, w] }, this.inputSize)));
      out.set(await features.data(), start * this.dim);
      features.dispose();
    }
    return out;
  }

  /** x: NHWC [N, S, S, 3] already preprocessed -> [N, 2048]. */
  forward(x: tf.Tensor4D): tf.Tensor2D {
    return tf.tidy(() => {
      const y = INCEPTION_LAYERS.reduce((t, layer) => this.run(layer, t), x);
      return tf.mean(y, [1, 2]) as tf.Tensor2D;
    });
  }

  private run(layer: Layer, x: tf.Tensor4D): tf.Tensor4D {
    switch (layer.kind) {
      case 'conv': {
        const { filter, bias } = this.filters.get(layer.name)!;
        return tf.fused.conv2d({ x, filter, bias, strides: layer.stride, pad: padMode(layer.kh, layer.kw, layer.ph, layer.pw, layer.stride), activation: 'relu' });
      }
      case 'avg':
        return tf.avgPool(x, layer.size, layer.stride, layer.pad ? 'same' : 'valid'); // 'same' excludes the padding, as TF
      case 'max':
        return tf.maxPool(x, layer.size, layer.stride, layer.pad ? 'same' : 'valid');
      case 'split':
        return tf.concat(layer.parts.map((p) => this.run(p, x)), 3);
      case 'mixed':
        return tf.concat(layer.branches.map((branch) => branch.reduce((t, l) => this.run(l, t), x)), 3);
    }
  }

  dispose(): void {
    for (const { filter, bias } of this.filters.values()) { filter.dispose(); bias.dispose(); }
    this.filters.clear();
  }
}

/** Symmetric padding p = (k-1)/2 at stride 1 is tfjs 'same'; no padding is 'valid'. Nothing else occurs. */
function padMode(kh: number, kw: number, ph: number, pw: number, stride: number): 'same' | 'valid' {
  if (ph === 0 && pw === 0) return 'valid';
  if (stride === 1 && 2 * ph === kh - 1 && 2 * pw === kw - 1) return 'same';
  throw new Error(`InceptionFeatureNet: unsupported padding [${ph}, ${pw}] for a ${kh}x${kw} kernel at stride ${stride}`);
}

/** Steps 1-3 above: NCHW 0..255 -> NHWC [N, size, size, 3] in [-1, 1]-ish ((x - 128) / 128). */
export function preprocessImages(images: ImageBatch, size: number): tf.Tensor4D {
  return tf.tidy(() => {
    const [n, c, h, w] = images.shape;
    const values = images.data instanceof Float32Array ? images.data : Float32Array.from(images.data);
    let x = tf.transpose(tf.tensor4d(values, [n, c, h, w]), [0, 2, 3, 1]) as tf.Tensor4D; // NCHW -> NHWC
    if (c === 1) x = tf.tile(x, [1, 1, 1, 3]);
    if (h !== size || w !== size) x = tf.image.resizeBilinear(x, [size, size], false, false);
    return tf.div(tf.sub(x, 128), 128) as tf.Tensor4D;
  });
}
