/**
 * The two gradients of a depthwise convolution (tfjs `DepthwiseConv2dNative`, NHWC activations,
 * filter [kh, kw, c, m] with channel multiplier m, output channel c*m + q), written with forward
 * depthwise convolutions, the fast wasm kernel. Same constructions as conv-backprop.ts:
 * the input gradient is the polyphase stride-1 form, the filter gradient one dilated depthwise
 * conv in which every (sample, channel) pair is its own channel.
 * Dilations > 1 are rejected: tfjs's own depthwise gradient does not support them either.
 */
import * as tf from '@tensorflow/tfjs-core';
import { Composer } from './compose.ts';
import { geometry, polyphaseBackpropInput } from './conv-backprop.ts';

type Info = tf.TensorInfo;

function checkDilations(attrs: Record<string, unknown>, op: string): void {
  const d = attrs.dilations as number | number[] | undefined;
  const list = d == null ? [1] : Array.isArray(d) ? d : [d];
  if (list.some((v) => v !== 1)) throw new Error(`${op}: dilations > 1 are not supported in gradients (got [${list}])`);
}

/** The dy channels of multiplier q: dy[..., c*m + q] for all c -> [n, oh, ow, c]. */
function multiplierSlice(c: Composer, dy: Info, q: number, m: number): Info {
  if (m === 1) return dy;
  const [n, oh, ow, cm] = dy.shape as [number, number, number, number];
  return c.stridedSlice(dy, [0, 0, 0, q], [n, oh, ow, cm], [1, 1, 1, m]);
}

/**
 * dx = DepthwiseConv2dNativeBackpropInput(dy, W). Steps:
 *  1. per multiplier q: W[..., q] -> [kh, kw, c, 1], dy channels c*m + q -> [n, oh, ow, c];
 *  2. polyphase stride-1 depthwise convs (conv-backprop.ts) -> [n, H, W, c];
 *  3. sum over q.
 */
export function depthwiseBackpropInputImpl(c: Composer, dy: Info, filter: Info, attrs: Record<string, unknown>): Info {
  checkDilations(attrs, 'DepthwiseConv2dNativeBackpropInput');
  const inputShape = attrs.inputShape as number[];
  const [kh, kw, ch, m] = filter.shape as [number, number, number, number];
  const g = geometry(inputShape, [kh, kw, ch, ch * m], attrs, 'DepthwiseConv2dNativeBackpropInput');
  let sum: Info | null = null;
  for (let q = 0; q < m; q++) {
    const wq = m === 1 ? filter : c.slice(filter, [0, 0, 0, q], [kh, kw, ch, 1]);
    const dx = polyphaseBackpropInput(c, multiplierSlice(c, dy, q, m), wq, inputShape, g, 'DepthwiseConv2dNative');
    sum = sum == null ? dx : c.run('Add', { a: sum, b: dx });
  }
  return c.finish(sum!);
}

/**
 * dW = DepthwiseConv2dNativeBackpropFilter(x, dy). Steps, per multiplier q:
 *  1. x padded/cropped to exactly (oh-1)*s + kh rows; x' = [1, Hp, Wp, n*c] (sample-major channels);
 *  2. dy channels of q -> filter [oh, ow, n*c, 1];
 *  3. VALID depthwise conv with dilation = stride -> [1, kh, kw, n*c]; sum over n -> [kh, kw, c];
 *  then stack the multipliers -> [kh, kw, c, m].
 */
export function depthwiseBackpropFilterImpl(c: Composer, x: Info, dy: Info, attrs: Record<string, unknown>): Info {
  checkDilations(attrs, 'DepthwiseConv2dNativeBackpropFilter');
  const [kh, kw, ch, m] = attrs.filterShape as [number, number, number, number];
  const g = geometry(x.shape, [kh, kw, ch, ch * m], attrs, 'DepthwiseConv2dNativeBackpropFilter');
  const [n, H, W] = x.shape as [number, number, number, number];
  const [, oh, ow] = dy.shape as [number, number, number, number];
  const rowsUsed = (oh - 1) * g.strideH + kh, colsUsed = (ow - 1) * g.strideW + kw;
  const xp = c.padOrCrop(x, [g.padTop, rowsUsed - g.padTop - H, g.padLeft, colsUsed - g.padLeft - W]);
  const xT = c.reshape(c.transpose(xp, [1, 2, 0, 3]), [1, rowsUsed, colsUsed, n * ch]);
  const perQ: Info[] = [];
  for (let q = 0; q < m; q++) {
    const f = c.reshape(c.transpose(multiplierSlice(c, dy, q, m), [1, 2, 0, 3]), [oh, ow, n * ch, 1]);
    const out = c.run('DepthwiseConv2dNative', { x: xT, filter: f },
      { strides: 1, pad: 'valid', dilations: [g.strideH, g.strideW], dataFormat: 'NHWC' });
    perQ.push(c.run('Sum', { x: c.reshape(out, [kh, kw, n, ch]) }, { axis: [2], keepDims: false }));
  }
  return c.finish(m === 1 ? c.reshape(perQ[0]!, [kh, kw, ch, 1]) : c.pack(perQ, 3));
}
