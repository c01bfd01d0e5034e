/**
 * The native fused filtered leaky ReLU on the wasm backend (native/flrelu.cc): three tfjs kernels
 * and the op that uses them, with hand-written gradients, so that a layer's autodiff tape holds
 * two bits per up-sampled element (the activation's code) instead of every intermediate of the
 * polyphase tfjs path (which exhausted wasm's 4 GB heap at batch 4 of a 128-channel generator).
 *
 *   Sg3FilteredLrelu        {x, b?} -> y, and when taped the codes (int32 [N * Th * Tw * ceil(C/16)]:
 *                           2 bits per up-sampled element, how its activation went)
 *   Sg3FilteredLreluGrad    {dy, codes} -> dx           (linear in dy)
 *   Sg3FilteredLreluMasked  {x, codes} -> y             (the forward with the codes as the
 *                                                         activation: the adjoint of Grad)
 * Grad and Masked are each other's gradient, so gradients of gradients (path-length
 * regularisation) stay exact, as the codes are constant under differentiation (as in lreluClamp).
 */
import { tf } from '../tf.ts';
import type { NativeAddon } from './addon.ts';
import { heapView, registerNewWasmKernel, unregisterNewWasmKernel, type WasmBackendLike } from './wasm-kernel.ts';
import { planFlreluTables, type FlreluTables } from './flrelu-plan.ts';

export const FLRELU_KERNEL_NAMES = ['Sg3FilteredLrelu', 'Sg3FilteredLreluGrad', 'Sg3FilteredLreluMasked'] as const;

/** What the op needs to know, already checked by ops/filtered-lrelu.ts. */
export interface NativeFlreluOptions {
  up: number; down: number; padding: [number, number, number, number];
  gain: number; slope: number; clamp: number | null; flipFilter: boolean;
}

interface Attrs { tables: FlreluTables; gain: number; slope: number; clamp: number; saveCodes: boolean }

function kernels(addon: NativeAddon): Record<(typeof FLRELU_KERNEL_NAMES)[number], tf.KernelFunc> {
  const args = (a: Attrs) => [a.tables.itab, a.tables.ftab, a.gain, a.slope, a.clamp] as const;
  return {
    Sg3FilteredLrelu: ({ inputs, backend: b, attrs }) => {
      const backend = b as unknown as WasmBackendLike, a = attrs as unknown as Attrs, { x, b: bias } = inputs;
      const y = backend.makeOutput(a.tables.outShape, 'float32');
      const codes = a.saveCodes ? backend.makeOutput([a.tables.codes], 'int32') : null;
      addon.flreluForward(heapView(backend, x!), bias ? heapView(backend, bias) : null, ...args(a),
        heapView(backend, y), codes ? heapView(backend, codes, a.tables.codes, 'int32') : null, false);
      return codes ? [y, codes] : y;
    },
    Sg3FilteredLreluMasked: ({ inputs, backend: b, attrs }) => {
      const backend = b as unknown as WasmBackendLike, a = attrs as unknown as Attrs, { x, codes } = inputs;
      const y = backend.makeOutput(a.tables.outShape, 'float32');
      addon.flreluForward(heapView(backend, x!), null, ...args(a), heapView(backend, y), heapView(backend, codes!, a.tables.codes, 'int32'), true);
      return y;
    },
    Sg3FilteredLreluGrad: ({ inputs, backend: b, attrs }) => {
      const backend = b as unknown as WasmBackendLike, a = attrs as unknown as Attrs, { dy, codes } = inputs;
      const [N, , , C] = a.tables.outShape, [, H, W] = a.tables.itab;
      const dx = backend.makeOutput([N, H!, W!, C], 'float32');
      addon.flreluBackward(heapView(backend, dy!), heapView(backend, codes!, a.tables.codes, 'int32'), ...args(a), heapView(backend, dx));
      return dx;
    },
  };
}

let gradientsRegistered = false;

/** Registers the three kernels for 'wasm' (and, once, the gradients of Grad and Masked). */
export function registerFlreluKernels(addon: NativeAddon): void {
  const k = kernels(addon);
  for (const name of FLRELU_KERNEL_NAMES) registerNewWasmKernel(name, k[name]);
  if (gradientsRegistered) return;
  gradientsRegistered = true;
  const run = (name: string, inputs: tf.NamedTensorMap, attrs: unknown) => tf.engine().runKernel(name, inputs, attrs as tf.NamedAttrMap) as tf.Tensor;
  tf.registerGradient({
    kernelName: 'Sg3FilteredLreluGrad', inputsToSave: ['codes'],
    gradFunc: (ddx, saved, attrs) => ({ dy: () => run('Sg3FilteredLreluMasked', { x: ddx as tf.Tensor, codes: saved[0]! }, attrs), codes: () => tf.zerosLike(saved[0]!) }),
  });
  tf.registerGradient({
    kernelName: 'Sg3FilteredLreluMasked', inputsToSave: ['codes'],
    gradFunc: (dy, saved, attrs) => ({ x: () => run('Sg3FilteredLreluGrad', { dy: dy as tf.Tensor, codes: saved[0]! }, attrs), codes: () => tf.zerosLike(saved[0]!) }),
  });
}

export function unregisterFlreluKernels(): void {
  for (const name of FLRELU_KERNEL_NAMES) unregisterNewWasmKernel(name);
}

/** Filter taps by tensor id (filters are constants: a network keeps its filter tensors unchanged). */
const taps = new Map<number, Float32Array>();
const tablesCache = new Map<string, FlreluTables>();

function tapsOf(f: tf.Tensor | null): Float32Array | null {
  if (f == null) return null;
  let t = taps.get(f.id);
  if (!t) {
    if (taps.size > 512) taps.clear();
    taps.set(f.id, t = Float32Array.from(f.dataSync()));
  }
  return t;
}

function tablesFor(x: tf.Tensor4D, fu: tf.Tensor | null, fd: tf.Tensor | null, o: NativeFlreluOptions): FlreluTables {
  const [N, H, W, C] = x.shape;
  const key = [fu?.id, fd?.id, N, H, W, C, o.up, o.down, ...o.padding, o.flipFilter].join(',');
  let t = tablesCache.get(key);
  if (!t) {
    if (tablesCache.size > 512) tablesCache.clear();
    t = planFlreluTables({ N, H, W, C, up: o.up, down: o.down, padding: o.padding, fu: tapsOf(fu), fd: tapsOf(fd),
      fdShape: fd ? (fd.shape as [number] | [number, number]) : null, flipFilter: o.flipFilter });
    tablesCache.set(key, t);
  }
  return t;
}

/** Whether a gradient tape records this op (tfjs engine internals; assume yes when unknown). */
function taped(): boolean {
  const state = (tf.engine() as unknown as { state?: { gradientDepth?: number } }).state;
  return state?.gradientDepth == null || state.gradientDepth > 0;
}

/** Whether the native op can run x with these filters on the current backend. */
export function nativeFlreluApplies(x: tf.Tensor, fu: tf.Tensor | null, fd: tf.Tensor | null): boolean {
  return tf.getBackend() === 'wasm' && tf.getKernel('Sg3FilteredLrelu', 'wasm') != null && x.dtype === 'float32'
    && (fu == null || fu.rank === 1) && (fd == null || fd.rank === 1 || fd.rank === 2);
}

/** filtered_lrelu on the native kernels (call only where nativeFlreluApplies); NHWC in and out. */
export function nativeFilteredLrelu(x: tf.Tensor4D, fu: tf.Tensor | null, fd: tf.Tensor | null, b: tf.Tensor | null, o: NativeFlreluOptions): tf.Tensor4D {
  const attrs: Attrs = { tables: tablesFor(x, fu, fd, o), gain: o.gain, slope: o.slope, clamp: o.clamp ?? -1, saveCodes: false };
  const run = (name: string, inputs: tf.NamedTensorMap, a: Attrs) => tf.engine().runKernel(name, inputs, a as unknown as tf.NamedAttrMap);
  if (!taped()) return run('Sg3FilteredLrelu', b ? { x, b } : { x }, attrs) as tf.Tensor4D;
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const save = args.pop() as tf.GradSaveFunc;
    const [xi, bi] = args as tf.Tensor[];
    const [y, codes] = run('Sg3FilteredLrelu', bi ? { x: xi!, b: bi } : { x: xi! }, { ...attrs, saveCodes: true }) as tf.Tensor[];
    save([codes!]);
    return {
      value: y!,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const dx = run('Sg3FilteredLreluGrad', { dy, codes: saved[0]! }, attrs) as tf.Tensor;
        return bi ? [dx, tf.sum(dx, [0, 1, 2])] : [dx];
      },
    };
  });
  return (b ? op(x, b) : op(x)) as tf.Tensor4D;
}
