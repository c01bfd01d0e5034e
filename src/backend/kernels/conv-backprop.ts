/**
 * The two gradients of a 2-D convolution, written as forward convolutions / matrix products, which
 * are the fast kernels of the wasm backend (XNNPACK). Layout: tfjs NHWC activations, HWIO filters.
 *
 * Forward (1-D along one axis, stride s, top padding p):  y[o] = sum_i x[o*s + i - p] * W[i].
 *
 * Input gradient, polyphase form. Write an input row as h = u*s + q (output phase q). Only taps
 * i ≡ r (mod s) with r = (q + p) mod s reach it:  dx[u*s + q] = sum_m dy[u + c - m] * W[r + s*m],
 * c = floor((q + p) / s). That is a stride-1 correlation of dy with the sub-kernel W[r::s]
 * reversed, so the s*s phases cost one forward conv's multiply-adds together, without the
 * (s*s - 1)/(s*s) wasted products of zero insertion. The phases are interleaved by stack+reshape.
 *
 * Filter gradient: one forward conv with the batch as the channel axis and dy as the filter.
 */
import * as tf from '@tensorflow/tfjs-core';
import { Composer } from './compose.ts';

type Info = tf.TensorInfo;

export interface Geometry {
  strideH: number; strideW: number;
  padTop: number; padLeft: number; padBottom: number; padRight: number;
  outH: number; outW: number;
}

export function geometry(xShape: number[], filterShape: number[], attrs: Record<string, unknown>, op: string): Geometry {
  if (attrs.dataFormat != null && attrs.dataFormat !== 'NHWC') {
    throw new Error(`${op}: only NHWC is supported (got dataFormat ${String(attrs.dataFormat)})`);
  }
  const info = tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number], filterShape as [number, number, number, number],
    attrs.strides as [number, number], 1, attrs.pad as 'same', attrs.dimRoundingMode as 'floor' | undefined);
  return {
    strideH: info.strideHeight, strideW: info.strideWidth,
    padTop: info.padInfo.top, padLeft: info.padInfo.left, padBottom: info.padInfo.bottom, padRight: info.padInfo.right,
    outH: info.outHeight, outW: info.outWidth,
  };
}

/** One output phase along one axis: which taps reach it, and the dy window it reads. */
interface Phase { first: number; taps: number; before: number; after: number }

function phase(q: number, pad: number, stride: number, kernel: number, outLen: number, dyLen: number): Phase {
  const first = (q + pad) % stride;                        // r: first tap of the sub-kernel
  const taps = first < kernel ? Math.ceil((kernel - first) / stride) : 0;
  const c = Math.floor((q + pad) / stride);
  return { first, taps, before: taps - 1 - c, after: outLen + c - dyLen };
}

/**
 * The polyphase input gradient shared by Conv2D and DepthwiseConv2dNative. `kernelT` is the filter
 * in backward layout: [kh, kw, co, ci] for Conv2D (co maps back to ci), [kh, kw, c, 1] for
 * depthwise. Steps (shapes NHWC):
 *  1. per phase (qy, qx): sub-kernel kernelT[ry::sy, rx::sx] reversed in both axes; dy padded or
 *     cropped to the phase's window; stride-1 VALID `convKernel` -> [n, U, V, ci], U = ceil(H/sy);
 *  2. stack phases to [n, U, sy, V, sx, ci], reshape to [n, U*sy, V*sx, ci], crop to [n, H, W, ci].
 */
export function polyphaseBackpropInput(c: Composer, dy: Info, kernelT: Info, inputShape: number[], g: Geometry, convKernel: 'Conv2D' | 'DepthwiseConv2dNative'): Info {
  const [n, H, W, ci] = inputShape as [number, number, number, number];
  const [kh, kw] = kernelT.shape as [number, number];
  const [, oh, ow] = dy.shape as [number, number, number, number];
  const U = Math.ceil(H / g.strideH), V = Math.ceil(W / g.strideW);
  const rows: Info[] = [];
  for (let qy = 0; qy < g.strideH; qy++) {
    const py = phase(qy, g.padTop, g.strideH, kh, U, oh);
    const cols: Info[] = [];
    for (let qx = 0; qx < g.strideW; qx++) {
      const px = phase(qx, g.padLeft, g.strideW, kw, V, ow);
      if (py.taps === 0 || px.taps === 0) { cols.push(c.zeros([n, U, V, ci])); continue; }
      let k = c.stridedSlice(kernelT, [py.first, px.first, 0, 0], [kh, kw, kernelT.shape[2]!, kernelT.shape[3]!], [g.strideH, g.strideW, 1, 1]);
      if (py.taps > 1 || px.taps > 1) k = c.run('Reverse', { x: k }, { dims: [0, 1] });
      const window = c.padOrCrop(dy, [py.before, py.after, px.before, px.after]);
      cols.push(c.run(convKernel, { x: window, filter: k }, { strides: 1, pad: 'valid', dilations: 1, dataFormat: 'NHWC' }));
    }
    rows.push(cols.length === 1 ? cols[0]! : c.pack(cols, 3));
  }
  if (rows.length === 1 && g.strideW === 1) return rows[0]!;
  const stacked = rows.length === 1 ? c.reshape(rows[0]!, [n, U, 1, V, g.strideW, ci]) : c.pack(rows, 2);
  const full = c.reshape(stacked, [n, U * g.strideH, V * g.strideW, ci]);
  return U * g.strideH === H && V * g.strideW === W ? full : c.slice(full, [0, 0, 0, 0], [n, H, W, ci]);
}

/** dx = Conv2DBackpropInput(dy, W [kh,kw,ci,co]): transpose W to [kh,kw,co,ci], then the polyphase form. */
export function conv2DBackpropInputImpl(c: Composer, dy: Info, filter: Info, attrs: Record<string, unknown>): Info {
  const inputShape = attrs.inputShape as number[];
  const g = geometry(inputShape, filter.shape, attrs, 'Conv2DBackpropInput');
  return c.finish(polyphaseBackpropInput(c, dy, c.transpose(filter, [0, 1, 3, 2]), inputShape, g, 'Conv2D'));
}

/**
 * dW = Conv2DBackpropFilter(x, dy), as ONE forward conv that treats the batch as channels:
 *  1. x padded/cropped by the forward padding to exactly (oh-1)*s + kh rows (likewise columns);
 *  2. x' = transpose(x) [ci, Hp, Wp, n] (ci plays the batch), dy' = transpose(dy) [oh, ow, n, co]
 *     (dy plays an oh x ow filter from n to co channels);
 *  3. VALID conv with dilation = stride -> [ci, kh, kw, co]: out[c,i,j,o] = sum_{n,a,b}
 *     x[n, i + a*s, j + b*s, c] * dy[n, a, b, o], which is dW; transpose to [kh, kw, ci, co].
 * Measured on wasm about 2x the forward conv; kh*kw matrix products were 7x (BatchMatMul is slow).
 */
export function conv2DBackpropFilterImpl(c: Composer, x: Info, dy: Info, attrs: Record<string, unknown>): Info {
  const filterShape = attrs.filterShape as [number, number, number, number];
  const [kh, kw] = filterShape;
  const g = geometry(x.shape, filterShape, attrs, 'Conv2DBackpropFilter');
  const [, oh, ow] = dy.shape as [number, number, number, number];
  const rowsUsed = (oh - 1) * g.strideH + kh, colsUsed = (ow - 1) * g.strideW + kw;
  const xp = c.padOrCrop(x, [g.padTop, rowsUsed - g.padTop - x.shape[1]!, g.padLeft, colsUsed - g.padLeft - x.shape[2]!]);
  const out = c.run('Conv2D', { x: c.transpose(xp, [3, 1, 2, 0]), filter: c.transpose(dy, [1, 2, 0, 3]) },
    { strides: 1, pad: 'valid', dilations: [g.strideH, g.strideW], dataFormat: 'NHWC' });
  return c.finish(c.transpose(out, [1, 2, 0, 3]));
}
