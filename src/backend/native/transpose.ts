/**
 * A native `Transpose` for the wasm backend (native/transpose.cc): tiled, on the addon's threads.
 * wasm's kernel walks one side at a stride (~3.5 ns per element: 0.5 ms for a [3,3,128,128] filter,
 * which tfjs transposes in every conv gradient of a gradient, ~100 times per training iteration).
 * float32 and int32 (4-byte elements, moved bit for bit); other dtypes, and permutations that move
 * nothing (wasm's kernel then shares the input's data), run the kernel registered before.
 */
import type { NativeAddon } from './addon.ts';
import { heapView, numel, replaceWasmKernel, restoreWasmKernel, type WasmBackendLike } from './wasm-kernel.ts';

/**
 * The same transpose on fewer dims: size-1 dims dropped, and input dims that stay adjacent and in
 * order in the output merged into one. Returns the reduced input shape and permutation.
 */
export function reduceTranspose(shape: readonly number[], perm: readonly number[]): { shape: number[]; perm: number[] } {
  const kept = shape.map((d, i) => (d === 1 ? -1 : i)).filter((i) => i >= 0);
  const renumber = new Map(kept.map((d, i) => [d, i]));
  let s = kept.map((d) => shape[d]!);
  let p = perm.filter((d) => shape[d] !== 1).map((d) => renumber.get(d)!);
  // Merge runs: output positions i, i+1 with p[i+1] == p[i] + 1 are one input dim of the product size.
  for (let i = 0; i + 1 < p.length;) {
    if (p[i + 1] !== p[i]! + 1) { i++; continue; }
    const d = p[i]!;
    s = [...s.slice(0, d), s[d]! * s[d + 1]!, ...s.slice(d + 2)];
    p = p.filter((_, k) => k !== i + 1).map((x) => (x > d ? x - 1 : x));
  }
  return { shape: s, perm: p };
}

let nativeCalls = 0;

export function registerNativeTranspose(addon: NativeAddon): void {
  replaceWasmKernel('Transpose', (fallback) => (args) => {
    const x = args.inputs.x!, perm = (args.attrs as { perm: number[] }).perm;
    if ((x.dtype !== 'float32' && x.dtype !== 'int32') || numel(x.shape) === 0 || perm.length !== x.shape.length || perm.length > 8) return fallback(args);
    const reduced = reduceTranspose(x.shape, perm);
    if (reduced.perm.every((d, i) => d === i)) return fallback(args);  // no move: wasm shares the data
    const backend = args.backend as unknown as WasmBackendLike;
    const out = backend.makeOutput(perm.map((d) => x.shape[d]!), x.dtype);
    addon.transpose(heapView(backend, x), heapView(backend, out), Int32Array.from([reduced.shape.length, ...reduced.shape, ...reduced.perm]));
    nativeCalls++;
    return out;
  });
}

export function unregisterNativeTranspose(): void {
  restoreWasmKernel('Transpose');
}

/** Transposes that ran natively since start (tests check which path ran). */
export function nativeTransposeCalls(): number {
  return nativeCalls;
}
