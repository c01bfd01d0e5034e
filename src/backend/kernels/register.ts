/**
 * The one registration site for the kernels sg3 adds to the wasm backend (tfjs convention: one
 * `register_all_kernels` per backend). wasm lacks the filter gradients and the depthwise input
 * gradient outright, and its own Conv2DBackpropInput is ~10x slower than its forward conv (measured
 * 25.7 ms vs 2.6 ms at [4,36,36,32] 3x3): ours replaces it. Each kernel is a composite of the
 * backend's forward kernels (see conv-backprop.ts, depthwise-backprop.ts). Slice, Unpack and
 * SplitV are replaced by versions that never take wasm's element-by-element rank >= 5 path
 * (slice.ts): the gradients of stack/concat/pad hit it. DepthwiseConv2dNative is wrapped to pad
 * kernels to the tap counts XNNPACK runs fast (depthwise-fast.ts).
 */
import * as tf from '@tensorflow/tfjs-core';
import { Composer } from './compose.ts';
import { conv2DBackpropFilterImpl, conv2DBackpropInputImpl } from './conv-backprop.ts';
import { depthwiseBackpropFilterImpl, depthwiseBackpropInputImpl } from './depthwise-backprop.ts';
import { fastDepthwiseKernel } from './depthwise-fast.ts';
import { cpuSliceKernel, fastSliceKernels } from './slice.ts';

type Impl = (c: Composer, inputs: tf.NamedTensorInfoMap, attrs: Record<string, unknown>) => tf.TensorInfo;

/** Kernel name -> implementation over any backend's forward kernels (the tests also run them on cpu). */
export const COMPOSITE_KERNELS: Record<string, Impl> = {
  Conv2DBackpropInput: (c, { dy, filter }, attrs) => conv2DBackpropInputImpl(c, dy!, filter!, attrs),
  Conv2DBackpropFilter: (c, { x, dy }, attrs) => conv2DBackpropFilterImpl(c, x!, dy!, attrs),
  DepthwiseConv2dNativeBackpropInput: (c, { dy, filter }, attrs) => depthwiseBackpropInputImpl(c, dy!, filter!, attrs),
  DepthwiseConv2dNativeBackpropFilter: (c, { x, dy }, attrs) => depthwiseBackpropFilterImpl(c, x!, dy!, attrs),
};

/** Runs a composite kernel on an arbitrary registered backend (for parity tests against that backend's native kernel). */
export function runComposite(kernelName: string, backendName: string, inputs: tf.NamedTensorInfoMap, attrs: Record<string, unknown>): tf.TensorInfo {
  const impl = COMPOSITE_KERNELS[kernelName];
  if (impl == null) throw new Error(`runComposite: no composite kernel ${kernelName} (have: ${Object.keys(COMPOSITE_KERNELS).join(', ')})`);
  const backend = tf.findBackend(backendName);
  if (backend == null) throw new Error(`runComposite: backend '${backendName}' is not initialised`);
  return impl(new Composer(backend, backendName), inputs, attrs);
}

let registered = false;

/** Registers (or replaces) every composite kernel for 'wasm'; idempotent. Returns the kernel names. */
export function registerWasmKernels(): string[] {
  const names = [...Object.keys(COMPOSITE_KERNELS), 'Slice', 'Unpack', 'SplitV', 'DepthwiseConv2dNative'];
  if (registered) return names;
  const originalSlice = tf.getKernel('Slice', 'wasm');
  const originalDepthwise = tf.getKernel('DepthwiseConv2dNative', 'wasm');
  if (originalSlice == null || originalDepthwise == null) throw new Error('registerWasmKernels: the wasm backend package is not loaded (no Slice kernel)');
  const wrapped = { ...fastSliceKernels(originalSlice.kernelFunc as never), DepthwiseConv2dNative: fastDepthwiseKernel(originalDepthwise.kernelFunc as never) };
  for (const [kernelName, kernelFunc] of Object.entries(wrapped)) {
    // Keep the original's setupFunc: the wasm backend binds its C functions there at start-up.
    const setupFunc = tf.getKernel(kernelName, 'wasm')?.setupFunc;
    tf.unregisterKernel(kernelName, 'wasm');
    tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc: kernelFunc as tf.KernelFunc, setupFunc });
  }
  for (const kernelName of Object.keys(COMPOSITE_KERNELS)) {
    const impl = COMPOSITE_KERNELS[kernelName]!;
    if (tf.getKernel(kernelName, 'wasm') != null) tf.unregisterKernel(kernelName, 'wasm');
    tf.registerKernel({
      kernelName,
      backendName: 'wasm',
      kernelFunc: ({ inputs, backend, attrs }) => impl(new Composer(backend as tf.KernelBackend, 'wasm'), inputs, attrs as Record<string, unknown>),
    });
  }
  registered = true;
  return names;
}

let cpuRegistered = false;

/** Replaces the cpu backend's Slice with the row-copying one (slice.ts); idempotent. Returns the names. */
export function registerCpuKernels(): string[] {
  if (cpuRegistered) return ['Slice'];
  const original = tf.getKernel('Slice', 'cpu');
  if (original == null) throw new Error('registerCpuKernels: the cpu backend package is not loaded (no Slice kernel)');
  tf.unregisterKernel('Slice', 'cpu');
  tf.registerKernel({ kernelName: 'Slice', backendName: 'cpu', kernelFunc: cpuSliceKernel(original.kernelFunc as never) as tf.KernelFunc, setupFunc: original.setupFunc });
  cpuRegistered = true;
  return ['Slice'];
}
