/**
 * Native `Sin` and `Cos` for the wasm backend (native/unary.cc: libm's sinf/cosf on the addon's
 * threads). wasm's own take ~26 ns per element, ~1 ms for each of the four [4, 36, 1, 256] calls of
 * a StyleGAN3 Fourier-feature input. Non-float32 or empty inputs run the kernel registered before.
 */
import { tf } from '../tf.ts';
import type { NativeAddon } from './addon.ts';

interface WasmBackendLike {
  wasm: { HEAPU8: Uint8Array };
  dataIdMap: { get(dataId: object): { memoryOffset: number } | undefined };
  makeOutput(shape: number[], dtype: 'float32'): tf.TensorInfo;
}

export const UNARY_KERNEL_NAMES = ['Sin', 'Cos'] as const;
type UnaryName = (typeof UNARY_KERNEL_NAMES)[number];
const OP: Record<UnaryName, number> = { Sin: 0, Cos: 1 };

const originals = new Map<UnaryName, tf.KernelConfig | null>();
const ours = new Map<UnaryName, tf.KernelFunc>();
let nativeCalls = 0;

function kernel(name: UnaryName, addon: NativeAddon): tf.KernelFunc {
  return (args) => {
    const x = args.inputs.x!;
    const n = x.shape.reduce((a, b) => a * b, 1);
    if (x.dtype !== 'float32' || n === 0) {
      const original = originals.get(name);
      if (!original) throw new Error(`${name}: no native plan and no wasm kernel to fall back to (got ${x.dtype} [${x.shape}])`);
      return original.kernelFunc(args);
    }
    const backend = args.backend as unknown as WasmBackendLike;
    const out = backend.makeOutput(x.shape, 'float32');
    const heap = backend.wasm.HEAPU8.buffer;  // after makeOutput: it may grow the heap
    const view = (t: tf.TensorInfo) => new Float32Array(heap, backend.dataIdMap.get(t.dataId)!.memoryOffset, n);
    addon.unary(view(x), view(out), OP[name]);
    nativeCalls++;
    return out;
  };
}

export function registerNativeUnary(addon: NativeAddon): void {
  for (const name of UNARY_KERNEL_NAMES) {
    const current = tf.getKernel(name, 'wasm');
    if (current && current.kernelFunc === ours.get(name)) continue;
    originals.set(name, current ? { ...current } : null);
    const fn = kernel(name, addon);
    ours.set(name, fn);
    if (current) tf.unregisterKernel(name, 'wasm');
    tf.registerKernel({ kernelName: name, backendName: 'wasm', kernelFunc: fn, setupFunc: current?.setupFunc });
  }
}

export function unregisterNativeUnary(): void {
  for (const name of UNARY_KERNEL_NAMES) {
    const current = tf.getKernel(name, 'wasm');
    if (!current || current.kernelFunc !== ours.get(name)) continue;
    tf.unregisterKernel(name, 'wasm');
    const original = originals.get(name);
    if (original) tf.registerKernel(original);
    originals.delete(name);
  }
}

/** Sin/Cos calls that ran natively since start (tests check which path ran). */
export function nativeUnaryCalls(): number {
  return nativeCalls;
}
