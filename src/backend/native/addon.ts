/**
 * The loaded addon and its typed surface. Every kernel takes Float32Array views (zero copy over
 * the wasm heap is the point) and an Int32Array geometry, NHWC tensors and HWIO filters; the C++
 * side checks each view is long enough for the geometry and throws otherwise.
 */
import { createRequire } from 'node:module';
import { buildNative, type BuildOptions, type BuildResult } from './build.ts';

/** Geometry fields, in the order native/sg3native.h's ConvGeom declares them. */
export const GEOM_FIELDS = [
  'batch', 'in_h', 'in_w', 'in_c', 'out_h', 'out_w', 'out_c', 'f_h', 'f_w',
  'stride_h', 'stride_w', 'dil_h', 'dil_w', 'pad_top', 'pad_left', 'mult',
] as const;
export type ConvGeom = Record<(typeof GEOM_FIELDS)[number], number>;

type Kernel = (a: Float32Array, b: Float32Array, out: Float32Array, geometry: Int32Array) => void;

export interface NativeAddon {
  conv2d: Kernel;                   // (x, w, y)
  conv2dBackpropInput: Kernel;      // (dy, w, dx)
  conv2dBackpropFilter: Kernel;     // (x, dy, dw)
  depthwise: Kernel;                // (x, w, y)
  depthwiseBackpropInput: Kernel;   // (dy, w, dx)
  depthwiseBackpropFilter: Kernel;  // (x, dy, dw)
  /** y = act(y + bias) in place over rows of `channels` (act: 0 linear, 1 relu, 2 relu6, 3 leaky relu with slope alpha). */
  biasAct(y: Float32Array, bias: Float32Array | null, channels: number, act: number, alpha: number): void;
  /**
   * Fused filtered leaky ReLU (native/flrelu.cc) over the tables of flrelu-plan.ts: y from x (+ b);
   * codes (2 bits per up-sampled element, FlreluTables.codes words) written when given; `masked`
   * applies saved codes instead.
   */
  flreluForward(x: Float32Array, b: Float32Array | null, itab: Int32Array, ftab: Float32Array, gain: number, slope: number, clamp: number,
    y: Float32Array, codes: Int32Array | null, masked: boolean): void;
  /** Its input gradient: dx from dy and the forward's codes. */
  flreluBackward(dy: Float32Array, codes: Int32Array, itab: Int32Array, ftab: Float32Array, gain: number, slope: number, clamp: number, dx: Float32Array): void;
  /** y[a, c] = sum_b x[a, b, c] (a Sum over contiguous axes; reduce.ts). */
  sumAxes(x: Float32Array, A: number, B: number, C: number, y: Float32Array): void;
  /**
   * C[i] = op(A[i]) op(B[i]) (row-major; matmul.ts): geometry [batch, a_batch, b_batch, M, N, K,
   * trans_a, trans_b], an operand batch of 1 shared by every product.
   */
  batchMatMul(a: Float32Array, b: Float32Array, c: Float32Array, geometry: Int32Array): void;
  /**
   * One fused Adam step (adam.ts): pOut, mOut, vOut from p, g, m, v (all the same length) and the
   * float32 scalars [beta1, 1-beta1, beta2, 1-beta2, sqrt(1-beta2^t), eps, lr/(1-beta1^t)].
   */
  adamStep(p: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, pOut: Float32Array, mOut: Float32Array, vOut: Float32Array, scalars: Float32Array): void;
  /** y = x transposed (transpose.ts): dims [rank, shape..., perm...]; 4-byte elements viewed as float32, moved bit for bit. */
  transpose(x: Float32Array, y: Float32Array, dims: Int32Array): void;
  /** y = sin(x) (op 0) or cos(x) (op 1), element-wise over x's length (unary.ts). */
  unary(x: Float32Array, y: Float32Array, op: number): void;
  /** Row-major C[M,N] = A[M,K] B[K,N]. */
  gemm(a: Float32Array, b: Float32Array, c: Float32Array, M: number, N: number, K: number): void;
  /** The micro-kernel instruction set ('avx512' | 'avx2' | 'generic') and the thread count. */
  info(): { isa: string; threads: number };
}

export interface LoadedAddon {
  addon: NativeAddon;
  build: BuildResult;
}

export function geometryArray(g: ConvGeom): Int32Array {
  return Int32Array.from(GEOM_FIELDS, (f) => g[f]);
}

let loaded: LoadedAddon | null = null;

/** Builds (or finds) the addon for `opts` and loads it. The default build is loaded once per process. */
export function loadAddon(opts?: BuildOptions): LoadedAddon {
  if (opts == null && loaded) return loaded;
  const build = buildNative(opts);
  const addon = createRequire(import.meta.url)(build.path) as NativeAddon;
  const result = { addon, build };
  if (opts == null) loaded = result;
  return result;
}
