/**
 * What the native kernels share: the parts of tfjs-backend-wasm's BackendWasm they use, zero-copy
 * views of a tensor's wasm memory, and swapping one of wasm's kernels for a native one while
 * keeping the kernel registered before as the fallback (with its setupFunc, so that a wasm
 * backend initialised later still binds its C functions).
 */
import { tf } from '../tf.ts';

export interface WasmBackendLike {
  wasm: { HEAPU8: Uint8Array };
  dataIdMap: { get(dataId: object): { memoryOffset: number } | undefined };
  makeOutput(shape: number[], dtype: 'float32' | 'int32'): tf.TensorInfo;
  disposeData(dataId: object): boolean;
}

export const numel = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/**
 * A view of `t`'s wasm memory, `n` elements (default: all of t). Take views after the last
 * makeOutput of a call: an allocation may grow the heap and so replace its buffer.
 */
export function heapView(backend: WasmBackendLike, t: tf.TensorInfo, n?: number): Float32Array;
export function heapView(backend: WasmBackendLike, t: tf.TensorInfo, n: number | undefined, type: 'int32'): Int32Array;
export function heapView(backend: WasmBackendLike, t: tf.TensorInfo, n = numel(t.shape), type: 'float32' | 'int32' = 'float32'): Float32Array | Int32Array {
  const offset = backend.dataIdMap.get(t.dataId)?.memoryOffset;
  if (offset == null) throw new Error(`native kernels: tensor [${t.shape}] has no wasm memory (got offset ${offset})`);
  return type === 'int32' ? new Int32Array(backend.wasm.HEAPU8.buffer, offset, n) : new Float32Array(backend.wasm.HEAPU8.buffer, offset, n);
}

interface Swap { original: tf.KernelConfig | null; ours: tf.KernelFunc }
const swaps = new Map<string, Swap>();

/**
 * Registers `make(fallback)` as wasm's kernel `name`; `fallback(args)` runs the kernel that was
 * registered before (and throws when there was none). Idempotent while ours is in place; a kernel
 * someone registered over ours since is wrapped again.
 */
export function replaceWasmKernel(name: string, make: (fallback: tf.KernelFunc) => tf.KernelFunc): void {
  const current = tf.getKernel(name, 'wasm');
  if (current != null && current.kernelFunc === swaps.get(name)?.ours) return;
  const original = current ? { ...current } : null;
  const fallback: tf.KernelFunc = (args) => {
    if (original == null) {
      const shapes = Object.values(args.inputs).filter((t) => t != null).map((t) => `[${t!.shape}] ${t!.dtype}`);
      throw new Error(`${name}: no native plan and no wasm kernel to fall back to (got ${shapes.join(', ')})`);
    }
    return original.kernelFunc(args);
  };
  const ours = make(fallback);
  swaps.set(name, { original, ours });
  if (current != null) tf.unregisterKernel(name, 'wasm');
  tf.registerKernel({ kernelName: name, backendName: 'wasm', kernelFunc: ours, setupFunc: current?.setupFunc });
}

/** Puts back the kernel registered before replaceWasmKernel(name), if ours is still in place. */
export function restoreWasmKernel(name: string): void {
  const swap = swaps.get(name), current = tf.getKernel(name, 'wasm');
  if (swap == null || current == null || current.kernelFunc !== swap.ours) return;
  tf.unregisterKernel(name, 'wasm');
  if (swap.original != null) tf.registerKernel(swap.original);
  swaps.delete(name);
}

/** Whether wasm's kernel `name` is currently the native one. */
export function isNativeKernel(name: string): boolean {
  const swap = swaps.get(name);
  return swap != null && tf.getKernel(name, 'wasm')?.kernelFunc === swap.ours;
}

/** Registers a kernel that exists only natively (no wasm original), replacing an earlier registration of it. */
export function registerNewWasmKernel(name: string, kernelFunc: tf.KernelFunc): void {
  if (tf.getKernel(name, 'wasm')) tf.unregisterKernel(name, 'wasm');
  tf.registerKernel({ kernelName: name, backendName: 'wasm', kernelFunc });
}

export function unregisterNewWasmKernel(name: string): void {
  if (tf.getKernel(name, 'wasm')) tf.unregisterKernel(name, 'wasm');
}
