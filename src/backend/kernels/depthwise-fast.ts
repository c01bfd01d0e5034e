/**
 * DepthwiseConv2dNative on wasm, routed to XNNPACK's fast micro-kernels. tfjs-backend-wasm's
 * XNNPACK has depthwise kernels for 3, 4, 9 and 25 taps only; any other size takes a slow path
 * (measured on [4,64,64,64]: 1x6 6.9 ms vs 1x9 1.5 ms, 1x12 10.4 ms vs 1x25 3.0 ms, 4x4 12.4 ms
 * vs 5x5 4.2 ms). Filters of FIR resampling have 6, 12, 24 taps, so every call is slow as is.
 *
 * Zero taps change nothing: a kernel padded with zeros at its end (bottom/right) over an input
 * padded with as many zeros at the end gives the same outputs, the same count, in the same places.
 * This wrapper pads each kernel to the nearest fast size and passes the rest to the original.
 * Kernels above 25 taps (e.g. 12x12 radial) stay on the original path: tiling them was slower.
 */
import * as tf from '@tensorflow/tfjs-core';

type Info = tf.TensorInfo;
type KernelFunc = (args: { inputs: tf.NamedTensorInfoMap; attrs: tf.NamedAttrMap; backend: tf.KernelBackend }) => Info | Info[];

const FAST_1D = [3, 4, 9, 25];

/** The kernel size [kh, kw] that XNNPACK runs fast and that contains [kh, kw]; unchanged when none. Pure. */
export function fastDepthwiseShape(kh: number, kw: number): [number, number] {
  const taps = kh * kw;
  if (taps === 1 || FAST_1D.includes(taps)) return [kh, kw];
  if (kh === 1 || kw === 1) {
    const n = FAST_1D.find((t) => t >= taps);
    if (n == null) return [kh, kw];
    return kh === 1 ? [1, n] : [n, 1];
  }
  if (kh <= 2 && kw <= 2) return [2, 2];
  if (kh <= 3 && kw <= 3) return [3, 3];
  if (kh <= 5 && kw <= 5) return [5, 5];
  return [kh, kw];
}

export function fastDepthwiseKernel(original: KernelFunc): KernelFunc {
  return ({ inputs, attrs, backend }) => {
    const x = inputs.x!, filter = inputs.filter!;
    const [kh, kw, c, m] = filter.shape as [number, number, number, number];
    const [fh, fw] = fastDepthwiseShape(kh, kw);
    const dil = attrs.dilations as number | number[] | undefined;
    const dilated = dil != null && (Array.isArray(dil) ? dil.some((d) => d !== 1) : dil !== 1);
    if ((fh === kh && fw === kw) || dilated || (attrs.dataFormat != null && attrs.dataFormat !== 'NHWC')) {
      return original({ inputs, attrs, backend });
    }
    const info = tf.backend_util.computeConv2DInfo(x.shape as [number, number, number, number], [kh, kw, c, m],
      attrs.strides as [number, number], 1, attrs.pad as 'valid', attrs.dimRoundingMode as 'floor' | undefined, true);
    const pad = tf.getKernel('PadV2', 'wasm')!.kernelFunc;
    const padded = pad({ inputs: { x: filter }, attrs: { paddings: [[0, fh - kh], [0, fw - kw], [0, 0], [0, 0]], constantValue: 0 }, backend }) as Info;
    const { top, bottom, left, right } = info.padInfo;
    const out = original({
      inputs: { x, filter: padded },
      attrs: { ...attrs, pad: [[0, 0], [top, bottom + fh - kh], [left, right + fw - kw], [0, 0]], dimRoundingMode: undefined } as unknown as tf.NamedAttrMap,
      backend,
    });
    backend.disposeData(padded.dataId);
    return out;
  };
}
