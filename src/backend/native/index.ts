/**
 * backend/native: optional C++ convolution kernels for the wasm backend (built at first use with
 * g++, cached per machine; see build.ts). `registerNativeKernels()` is the one entry point the
 * backend start-up calls; it reports `{ ok: false, reason }` instead of throwing when the addon
 * cannot be built, and SG3_NATIVE=0 turns it off. SG3_THREADS sets the addon's thread count.
 */
export { registerNativeKernels, unregisterNativeKernels, nativeKernelInfo, nativeKernelStats } from './register.ts';
export type { NativeKernelStats } from './register.ts';
export { NATIVE_KERNEL_NAMES, planNative } from './geometry.ts';
export type { NativeKernelName, NativePlan } from './geometry.ts';
export { buildNative, NativeBuildError, defaultCacheDir } from './build.ts';
export type { BuildOptions, BuildResult } from './build.ts';
export { loadAddon, geometryArray } from './addon.ts';
export type { NativeAddon, ConvGeom } from './addon.ts';
export { nativeFilteredLrelu, nativeFlreluApplies, FLRELU_KERNEL_NAMES } from './flrelu.ts';
export type { NativeFlreluOptions } from './flrelu.ts';
export { planFlreluTables } from './flrelu-plan.ts';
export { planMatMul, nativeMatMulCalls, batchMatMulIsFast } from './matmul.ts';
export type { MatMulPlan } from './matmul.ts';
export { nativeUnaryCalls } from './unary.ts';
export { nativeAdamStep, nativeAdamCalls } from './adam.ts';
export { nativeTransposeCalls, reduceTranspose } from './transpose.ts';
export type { FlreluGeometry, FlreluTables } from './flrelu-plan.ts';
