/**
 * Native `Sin` and `Cos` for the wasm backend (native/unary.cc: libm's sinf/cosf on the addon's
 * threads). wasm's own take ~26 ns per element, ~1 ms for each of the four [4, 36, 1, 256] calls of
 * a StyleGAN3 Fourier-feature input. Non-float32 or empty inputs run the kernel registered before.
 */
import type { NativeAddon } from './addon.ts';
import { heapView, numel, replaceWasmKernel, restoreWasmKernel, type WasmBackendLike } from './wasm-kernel.ts';

export const UNARY_KERNEL_NAMES = ['Sin', 'Cos'] as const;
const OP: Record<(typeof UNARY_KERNEL_NAMES)[number], number> = { Sin: 0, Cos: 1 };
let nativeCalls = 0;

export function registerNativeUnary(addon: NativeAddon): void {
  for (const name of UNARY_KERNEL_NAMES) {
    replaceWasmKernel(name, (fallback) => (args) => {
      const x = args.inputs.x!;
      if (x.dtype !== 'float32' || numel(x.shape) === 0) return fallback(args);
      const backend = args.backend as unknown as WasmBackendLike;
      const out = backend.makeOutput(x.shape, 'float32');
      addon.unary(heapView(backend, x), heapView(backend, out), OP[name]);
      nativeCalls++;
      return out;
    });
  }
}

export function unregisterNativeUnary(): void {
  for (const name of UNARY_KERNEL_NAMES) restoreWasmKernel(name);
}

/** Sin/Cos calls that ran natively since start (tests check which path ran). */
export function nativeUnaryCalls(): number {
  return nativeCalls;
}
