/**
 * Layout conventions of ops/: activations are tfjs NHWC [batch, height, width, channels]; the
 * official code, the golden files and the weight files are NCHW. Convolution weights stay in the
 * official OIHW [out, in, kh, kw] at the op boundary (so state_dict tensors go in unchanged) and
 * become tfjs HWIO [kh, kw, in, out] inside. FIR filters are [taps] (separable) or [rows=y, cols=x].
 */
import { tf } from '../backend/tf.ts';

/** NCHW -> NHWC (official/golden layout to the layout of every op here). */
export function nchwToNhwc(x: tf.Tensor4D): tf.Tensor4D {
  return tf.transpose(x, [0, 2, 3, 1]);
}

/** NHWC -> NCHW (for comparing with goldens or writing official-layout files). */
export function nhwcToNchw(x: tf.Tensor4D): tf.Tensor4D {
  return tf.transpose(x, [0, 3, 1, 2]);
}

/** OIHW (official conv weight) -> HWIO (tfjs conv2d filter). */
export function oihwToHwio(w: tf.Tensor4D): tf.Tensor4D {
  return tf.transpose(w, [2, 3, 1, 0]);
}

/** Padding `[x0, x1, y0, y1]` as the official ops parse it: an int, `[x, y]`, or four numbers. */
export type Padding = number | [number, number] | [number, number, number, number];

export function parsePadding(padding: Padding, op: string): [number, number, number, number] {
  const p = typeof padding === 'number' ? [padding, padding, padding, padding]
    : padding.length === 2 ? [padding[0], padding[0], padding[1], padding[1]] : [...padding];
  if (p.length !== 4 || !p.every(Number.isInteger)) throw new Error(`${op}: padding must be integers [x0, x1, y0, y1] (got ${JSON.stringify(padding)})`);
  return p as [number, number, number, number];
}

/** Up/down factors: an int or `[x, y]`, each a positive integer. */
export type Scaling = number | [number, number];

export function parseScaling(s: Scaling, op: string, name: string): [number, number] {
  const [sx, sy] = typeof s === 'number' ? [s, s] : s;
  if (!Number.isInteger(sx) || !Number.isInteger(sy) || sx! < 1 || sy! < 1) {
    throw new Error(`${op}: ${name} must be a positive integer or [x, y] (got ${JSON.stringify(s)})`);
  }
  return [sx!, sy!];
}
