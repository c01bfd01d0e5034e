/**
 * Writing a kernel out of other kernels of the same backend, the way tfjs backends do it
 * internally: call the registered `kernelFunc`s directly (no engine, no tape) and free every
 * intermediate buffer before returning. Nothing here is specific to wasm, which lets the tests run
 * the same composite kernels on the cpu backend against its native implementations.
 */
import * as tf from '@tensorflow/tfjs-core';

type Attrs = Record<string, unknown>;

/** Pads (positive) or crops (negative) an NHWC tensor's H and W: `[top, bottom, left, right]`. */
export type Pad4 = [number, number, number, number];

export class Composer {
  private readonly temps: tf.TensorInfo[] = [];

  constructor(
    readonly backend: tf.KernelBackend,
    readonly backendName: string,
  ) {}

  /** Runs one kernel of this backend; its output is freed by `finish` unless returned. */
  run(kernelName: string, inputs: Record<string, tf.TensorInfo> | tf.TensorInfo[], attrs: Attrs = {}): tf.TensorInfo {
    const kernel = tf.getKernel(kernelName, this.backendName);
    if (kernel == null) throw new Error(`${kernelName}: kernel not registered for backend '${this.backendName}'`);
    const out = kernel.kernelFunc({ inputs: inputs as unknown as tf.NamedTensorInfoMap, attrs: attrs as tf.NamedAttrMap, backend: this.backend });
    if (Array.isArray(out)) throw new Error(`${kernelName}: composite kernels expect one output (got ${out.length})`);
    this.temps.push(out);
    return out;
  }

  /** Frees every intermediate except `result` (a reshape may share `result`'s buffer: refcounts handle that). */
  finish(result: tf.TensorInfo): tf.TensorInfo {
    for (const t of this.temps) if (t !== result) this.backend.disposeData(t.dataId);
    this.temps.length = 0;
    return result;
  }

  reshape(x: tf.TensorInfo, shape: number[]): tf.TensorInfo {
    return this.run('Reshape', { x }, { shape });
  }

  transpose(x: tf.TensorInfo, perm: number[]): tf.TensorInfo {
    return this.run('Transpose', { x }, { perm });
  }

  slice(x: tf.TensorInfo, begin: number[], size: number[]): tf.TensorInfo {
    return this.run('Slice', { x }, { begin, size });
  }

  /** Every `strides[i]`-th element from `begin[i]` (inclusive) to `end[i]` (exclusive). */
  stridedSlice(x: tf.TensorInfo, begin: number[], end: number[], strides: number[]): tf.TensorInfo {
    if (strides.every((s) => s === 1)) return this.slice(x, begin, end.map((e, i) => e - begin[i]!));
    return this.run('StridedSlice', { x }, {
      begin, end, strides, beginMask: 0, endMask: 0, ellipsisMask: 0, newAxisMask: 0, shrinkAxisMask: 0,
    });
  }

  /** NHWC: pads with zeros where `pad[k] > 0`, crops where `pad[k] < 0`; returns `x` itself when all are 0. */
  padOrCrop(x: tf.TensorInfo, pad: Pad4): tf.TensorInfo {
    const [n, h, w, c] = x.shape as [number, number, number, number];
    const [t, b, l, r] = pad;
    let y = x;
    if (t < 0 || b < 0 || l < 0 || r < 0) {
      const top = Math.max(-t, 0), left = Math.max(-l, 0);
      const hh = h - top - Math.max(-b, 0), ww = w - left - Math.max(-r, 0);
      if (hh <= 0 || ww <= 0) throw new Error(`padOrCrop: crop [${pad}] leaves nothing of a ${h}x${w} image`);
      y = this.slice(y, [0, top, left, 0], [n, hh, ww, c]);
    }
    if (t > 0 || b > 0 || l > 0 || r > 0) {
      y = this.run('PadV2', { x: y }, { paddings: [[0, 0], [Math.max(t, 0), Math.max(b, 0)], [Math.max(l, 0), Math.max(r, 0)], [0, 0]], constantValue: 0 });
    }
    return y;
  }

  /** Stacks along a new `axis` (Pack takes its inputs as a list, not a map). */
  pack(list: tf.TensorInfo[], axis: number): tf.TensorInfo {
    return this.run('Pack', list, { axis });
  }

  zeros(shape: number[]): tf.TensorInfo {
    return this.run('Fill', {}, { shape, value: 0, dtype: 'float32' });
  }
}
