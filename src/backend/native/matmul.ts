/**
 * A native `BatchMatMul` for the wasm backend (native/matmul.cc). wasm's own kernel runs at about
 * 3 GFLOP/s (measured: [4,2704,256] x [4,256,256] in 470 ms), so every fully connected layer, the
 * demodulation coefficients and their gradients spent more time there than in the convolutions.
 * Float32 operands of rank >= 2 run natively with tfjs's transposeA/transposeB and numpy-style
 * broadcasting of the batch dims (wasm's kernel gets [2,1,M,K] x [1,3,K,N] wrong: it flattens the
 * batch dims before broadcasting them); anything else (other dtypes, empty tensors, mismatched
 * inner dims) runs the kernel registered before, which also gives tfjs's own error messages.
 */
import { tf } from '../tf.ts';
import type { NativeAddon } from './addon.ts';
import { heapView, isNativeKernel, numel, replaceWasmKernel, restoreWasmKernel, type WasmBackendLike } from './wasm-kernel.ts';

export interface MatMulPlan {
  // [batch, a_batch, b_batch, M, N, K, trans_a, trans_b, a_index[batch], b_index[batch]]
  // (native/sg3native.h MatMulGeom): product i multiplies A[a_index[i]] and B[b_index[i]].
  geometry: Int32Array;
  outShape: number[];
}


/** Flat index into `dims` (right-aligned against `outer`, size-1 dims broadcast) of every flat index of `outer`. */
function broadcastIndex(dims: readonly number[], outer: readonly number[]): number[] {
  const out: number[] = [];
  const lead = outer.length - dims.length;
  for (let flat = 0; flat < numel(outer); flat++) {
    let rest = flat, index = 0, stride = 1;
    for (let d = outer.length - 1; d >= 0; d--) {
      const coord = rest % outer[d]!;
      rest = Math.floor(rest / outer[d]!);
      if (d < lead) continue;
      const dim = dims[d - lead]!;
      index += (dim === 1 ? 0 : coord) * stride;
      stride *= dim;
    }
    out.push(index);
  }
  return out;
}

/** The native plan of `a @ b` (tfjs BatchMatMul semantics, batch dims broadcast), or null when it is not for us. */
export function planMatMul(aShape: readonly number[], bShape: readonly number[], transposeA: boolean, transposeB: boolean): MatMulPlan | null {
  const ra = aShape.length, rb = bShape.length;
  if (ra < 2 || rb < 2) return null;
  const [M, Ka] = transposeA ? [aShape[ra - 1]!, aShape[ra - 2]!] : [aShape[ra - 2]!, aShape[ra - 1]!];
  const [Kb, N] = transposeB ? [bShape[rb - 1]!, bShape[rb - 2]!] : [bShape[rb - 2]!, bShape[rb - 1]!];
  if (Ka !== Kb || M < 1 || N < 1 || Ka < 1) return null;  // empty products: the original kernel
  const outerA = aShape.slice(0, -2), outerB = bShape.slice(0, -2);
  let outer: number[];
  try {
    outer = tf.backend_util.assertAndGetBroadcastShape(outerA as number[], outerB as number[]);
  } catch {
    return null;  // the original kernel reports it
  }
  const batch = numel(outer);
  if (batch === 0) return null;
  const geometry = Int32Array.from([batch, numel(outerA), numel(outerB), M, N, Ka, transposeA ? 1 : 0, transposeB ? 1 : 0,
    ...broadcastIndex(outerA, outer), ...broadcastIndex(outerB, outer)]);
  return { geometry, outShape: [...outer, M, N] };
}

let calls = { native: 0, fallback: 0 };

export function registerNativeMatMul(addon: NativeAddon): void {
  replaceWasmKernel('BatchMatMul', (fallback) => (args) => {
    const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    const attrs = args.attrs as { transposeA?: boolean; transposeB?: boolean };
    const plan = a.dtype === 'float32' && b.dtype === 'float32' ? planMatMul(a.shape, b.shape, !!attrs.transposeA, !!attrs.transposeB) : null;
    if (!plan) {
      calls.fallback++;
      return fallback(args);
    }
    const backend = args.backend as unknown as WasmBackendLike;
    const out = backend.makeOutput(plan.outShape, 'float32');
    addon.batchMatMul(heapView(backend, a), heapView(backend, b), heapView(backend, out), plan.geometry);
    calls.native++;
    return out;
  });
}

export function unregisterNativeMatMul(): void {
  restoreWasmKernel('BatchMatMul');
}

/** Native and fallback calls since start (tests check which path ran). */
export function nativeMatMulCalls(): { native: number; fallback: number } {
  return { ...calls };
}

/**
 * Whether tf.matMul runs at GEMM speed on the active backend: everywhere but on a wasm backend
 * without the native kernel (ops choose a batched product over a conv only where it is fast).
 */
export function batchMatMulIsFast(): boolean {
  return tf.getBackend() !== 'wasm' || isNativeKernel('BatchMatMul');
}
