/**
 * A fused Adam step for the wasm backend (native/adam.cc): one kernel per parameter instead of the
 * 13 element-wise tfjs ops train/adam.ts composes, each a pass over the tensor plus the engine's
 * per-op cost. Same float32 operations in the same order, so the same bits.
 *
 *   Sg3AdamStep  {p, g, m, v} -> [p', m', v']   attrs: scalars [beta1, 1-beta1, beta2, 1-beta2,
 *                                               sqrt(1-beta2^t), eps, lr/(1-beta1^t)] (JS doubles;
 *                                               rounded to float32 as tfjs rounds scalar operands)
 * Not differentiable (an optimizer step is never taped).
 */
import { tf } from '../tf.ts';
import type { NativeAddon } from './addon.ts';
import { heapView, registerNewWasmKernel, unregisterNewWasmKernel, type WasmBackendLike } from './wasm-kernel.ts';

const KERNEL = 'Sg3AdamStep';
let nativeCalls = 0;

export function registerNativeAdam(addon: NativeAddon): void {
  registerNewWasmKernel(KERNEL, ({ inputs, backend: b, attrs }) => {
    const backend = b as unknown as WasmBackendLike, { p, g, m, v } = inputs as Record<'p' | 'g' | 'm' | 'v', tf.TensorInfo>;
    const outs = [backend.makeOutput(p.shape, 'float32'), backend.makeOutput(p.shape, 'float32'), backend.makeOutput(p.shape, 'float32')];
    const [pOut, mOut, vOut] = outs.map((t) => heapView(backend, t));
    addon.adamStep(heapView(backend, p), heapView(backend, g), heapView(backend, m), heapView(backend, v), pOut!, mOut!, vOut!,
      Float32Array.from((attrs as unknown as { scalars: number[] }).scalars));
    nativeCalls++;
    return outs;
  });
}

export function unregisterNativeAdam(): void {
  unregisterNewWasmKernel(KERNEL);
}

/**
 * [p', m', v'] of one Adam step on the native kernel, or null where it does not apply (another
 * backend, no addon, non-float32 or empty tensors, shapes that differ): the caller composes tfjs ops.
 */
export function nativeAdamStep(p: tf.Tensor, g: tf.Tensor, m: tf.Tensor, v: tf.Tensor, scalars: number[]): [tf.Tensor, tf.Tensor, tf.Tensor] | null {
  if (tf.getBackend() !== 'wasm' || tf.getKernel(KERNEL, 'wasm') == null || p.size === 0) return null;
  const same = [g, m, v].every((t) => t.dtype === 'float32' && t.size === p.size && t.shape.join() === p.shape.join());
  if (p.dtype !== 'float32' || !same) return null;
  return tf.engine().runKernel(KERNEL, { p, g, m, v }, { scalars } as unknown as tf.NamedAttrMap) as unknown as [tf.Tensor, tf.Tensor, tf.Tensor];
}

/** Fused Adam steps run natively since start (tests check which path ran). */
export function nativeAdamCalls(): number {
  return nativeCalls;
}
