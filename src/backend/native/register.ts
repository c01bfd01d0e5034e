/**
 * Puts the native kernels in place of the wasm backend's convolution kernels.
 *
 * Each registered kernel plans the call (geometry.ts); when the plan covers it, it allocates the
 * output on the wasm heap (`makeOutput`), then takes Float32Array views of the inputs and the
 * output straight over the heap (zero copy) and runs the addon synchronously. The views are made
 * after the allocation because it may grow, and so replace, the heap's ArrayBuffer. Anything the
 * plan does not cover (NCHW, non-float32, empty tensors, invalid shapes) runs the kernel that was
 * registered before (wasm-kernel.ts keeps it, with its setupFunc).
 */
import { tf } from '../tf.ts';
import { loadAddon, geometryArray, type NativeAddon, type LoadedAddon } from './addon.ts';
import { FUSED_ACTIVATIONS, NATIVE_KERNEL_NAMES, planNative, type NativeKernelName } from './geometry.ts';
import { heapView, replaceWasmKernel, restoreWasmKernel, type WasmBackendLike } from './wasm-kernel.ts';
import { registerFlreluKernels, unregisterFlreluKernels } from './flrelu.ts';
import { registerNativeSum, unregisterNativeSum } from './reduce.ts';
import { registerNativeMatMul, unregisterNativeMatMul } from './matmul.ts';
import { registerNativeUnary, unregisterNativeUnary } from './unary.ts';
import { registerNativeAdam, unregisterNativeAdam } from './adam.ts';
import { registerNativeTranspose, unregisterNativeTranspose } from './transpose.ts';

const ADDON_FUNCTION: Record<NativeKernelName, keyof NativeAddon> = {
  Conv2D: 'conv2d',
  Conv2DBackpropInput: 'conv2dBackpropInput',
  Conv2DBackpropFilter: 'conv2dBackpropFilter',
  DepthwiseConv2dNative: 'depthwise',
  DepthwiseConv2dNativeBackpropInput: 'depthwiseBackpropInput',
  DepthwiseConv2dNativeBackpropFilter: 'depthwiseBackpropFilter',
  FusedConv2D: 'conv2d',  // then the bias + activation epilogue
};

export interface NativeKernelStats { native: number; fallback: number }

const stats = Object.fromEntries(NATIVE_KERNEL_NAMES.map((n) => [n, { native: 0, fallback: 0 }])) as Record<NativeKernelName, NativeKernelStats>;
let active: LoadedAddon | null = null;

function nativeKernel(name: NativeKernelName, addon: NativeAddon, fallback: tf.KernelFunc): tf.KernelFunc {
  const run = addon[ADDON_FUNCTION[name]] as (a: Float32Array, b: Float32Array, out: Float32Array, g: Int32Array) => void;
  return (args) => {
    const inputs = args.inputs, attrs = (args.attrs ?? {}) as Record<string, unknown>;
    // Optional inputs arrive as keys with undefined values (FusedConv2D's bias, prelu weights).
    const shapes = Object.fromEntries(Object.entries(inputs).filter(([, v]) => v != null).map(([k, v]) => [k, v!.shape]));
    const plan = planNative(name, shapes, attrs);
    const [a, b] = plan ? plan.inputs.map((k) => inputs[k]) : [];
    const bias = inputs.bias;
    if (plan == null || a?.dtype !== 'float32' || b?.dtype !== 'float32' || (bias != null && bias.dtype !== 'float32')) {
      stats[name].fallback++;
      return fallback(args);
    }
    const backend = args.backend as unknown as WasmBackendLike;
    const out = backend.makeOutput(plan.outShape, 'float32');
    try {
      const y = heapView(backend, out);
      run(heapView(backend, a), heapView(backend, b), y, geometryArray(plan.geom));
      if (name === 'FusedConv2D') {
        const act = FUSED_ACTIVATIONS[(attrs.activation as string | undefined) ?? 'linear']!;
        if (bias != null || act !== 0) addon.biasAct(y, bias ? heapView(backend, bias) : null, plan.geom.out_c, act, Number(attrs.leakyreluAlpha ?? 0));
      }
    } catch (e) {
      backend.disposeData(out.dataId);
      throw e;
    }
    stats[name].native++;
    return out;
  };
}

/**
 * Replaces the seven convolution kernels of the 'wasm' backend with native ones and adds the fused
 * filtered leaky ReLU's kernels (flrelu.ts), a Sum over contiguous axes (reduce.ts), BatchMatMul (matmul.ts), Sin/Cos (unary.ts), Transpose (transpose.ts) and a fused Adam step (adam.ts); call it after
 * sg3's other wasm kernels are registered (their kernels become the fallbacks). Idempotent; a
 * kernel someone registered over ours since is wrapped again. Never throws for an unusable
 * toolchain: returns { ok: false, reason } with a one-line reason for the caller to log.
 */
export function registerNativeKernels(): { ok: boolean; reason?: string } {
  if (process.env.SG3_NATIVE === '0') return { ok: false, reason: 'native kernels off (SG3_NATIVE=0): using the wasm kernels' };
  if (tf.getKernel('Conv2D', 'wasm') == null) {
    return { ok: false, reason: 'native kernels: the wasm backend is not loaded (no Conv2D kernel for wasm); import it first' };
  }
  try {
    active = loadAddon();
  } catch (e) {
    const first = String((e as Error).message ?? e).split('\n')[0];
    return { ok: false, reason: `native kernels unavailable, using wasm (${first})` };
  }
  const addon = active.addon;
  for (const name of NATIVE_KERNEL_NAMES) replaceWasmKernel(name, (fallback) => nativeKernel(name, addon, fallback));
  registerFlreluKernels(active.addon);
  registerNativeSum(active.addon);
  registerNativeMatMul(active.addon);
  registerNativeUnary(active.addon);
  registerNativeAdam(active.addon);
  registerNativeTranspose(active.addon);
  return { ok: true };
}

/** Puts back the kernels registered before registerNativeKernels (tests, and SG3_NATIVE=0 at run time). */
export function unregisterNativeKernels(): void {
  for (const name of NATIVE_KERNEL_NAMES) restoreWasmKernel(name);
  unregisterFlreluKernels();
  unregisterNativeSum();
  unregisterNativeMatMul();
  unregisterNativeUnary();
  unregisterNativeAdam();
  unregisterNativeTranspose();
}

/** What runs: the addon's path, instruction set and threads, or null before a successful registration. */
export function nativeKernelInfo(): { path: string; compiled: boolean; buildSeconds: number; isa: string; threads: number } | null {
  if (active == null) return null;
  const { isa, threads } = active.addon.info();
  return { path: active.build.path, compiled: active.build.compiled, buildSeconds: active.build.seconds, isa, threads };
}

/** Calls per kernel that ran natively or fell back since start (a copy). */
export function nativeKernelStats(): Record<NativeKernelName, NativeKernelStats> {
  return JSON.parse(JSON.stringify(stats));
}
