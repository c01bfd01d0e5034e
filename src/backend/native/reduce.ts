/**
 * A native `Sum` and `Mean` for the wasm backend (native/reduce.cc). Over a contiguous range of axes of a
 * float32 tensor (the bias and per-channel gradients of NHWC activations: axes [0, 1, 2] or [1, 2]),
 * x is read once as [A, B, C] -> [A, C]; wasm's own kernel first transposes the reduced axes to the
 * end (a full copy, ~10 ms for [4, 54, 54, 128]). Anything else (other dtypes, scattered axes, empty
 * tensors) runs the kernel registered before, kept with its setupFunc.
 */
import type { NativeAddon } from './addon.ts';
import { heapView, replaceWasmKernel, restoreWasmKernel, type WasmBackendLike } from './wasm-kernel.ts';

/** [A, B, C] of a reduction over `axis` of `shape`, its output shape (`kept`) and, with keepDims, `keptDims`; null when the axes are not one contiguous run. */
export function planSum(shape: number[], axis: number | number[] | undefined): { A: number; B: number; C: number; kept: number[]; keptDims: number[] } | null {
  const rank = shape.length;
  const axes = [...new Set((axis == null ? shape.map((_, i) => i) : Array.isArray(axis) ? axis : [axis]).map((a) => (a < 0 ? a + rank : a)))].sort((a, b) => a - b);
  if (axes.length === 0 || axes.some((a) => !Number.isInteger(a) || a < 0 || a >= rank)) return null;
  const first = axes[0]!, last = axes[axes.length - 1]!;
  if (last - first + 1 !== axes.length) return null;
  const prod = (a: number, b: number) => shape.slice(a, b).reduce((p, d) => p * d, 1);
  const [A, B, C] = [prod(0, first), prod(first, last + 1), prod(last + 1, rank)];
  if (A * B * C === 0) return null;
  return { A, B, C, kept: shape.filter((_, i) => i < first || i > last), keptDims: shape.map((d, i) => (i < first || i > last ? d : 1)) };
}

/** Sum, or Mean as the native sum divided by the count (wasm's Mean adds up in float32, ~9x slower). */
export function registerNativeSum(addon: NativeAddon): void {
  for (const name of ['Sum', 'Mean'] as const) {
    replaceWasmKernel(name, (fallback) => (args) => {
      const x = args.inputs.x!, attrs = args.attrs as { axis?: number | number[]; keepDims?: boolean };
      const plan = x.dtype === 'float32' ? planSum(x.shape, attrs.axis) : null;
      if (!plan) return fallback(args);
      const backend = args.backend as unknown as WasmBackendLike;
      const shape = attrs.keepDims ? plan.keptDims : plan.kept;
      const out = backend.makeOutput(shape, 'float32');
      const y = heapView(backend, out);
      addon.sumAxes(heapView(backend, x), plan.A, plan.B, plan.C, y);
      if (name === 'Mean') for (let i = 0; i < y.length; i++) y[i] = y[i]! / plan.B;  // float32 / int, rounded once
      return out;
    });
  }
}

export function unregisterNativeSum(): void {
  restoreWasmKernel('Sum');
  restoreWasmKernel('Mean');
}
