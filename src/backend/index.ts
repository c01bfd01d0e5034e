/**
 * backend/: the tfjs namespace every module imports (`tf`), choosing the backend for
 * `runtime.backend` (`initBackend`), and the kernels and gradients sg3 adds so that training and
 * R1 run on wasm.
 */
export { tf } from './tf.ts';
export type { Tensor, Scalar, Tensor1D, Tensor2D, Tensor3D, Tensor4D, Rank, TensorInfo, Variable } from './tf.ts';
export { initBackend, describeBackend, BACKEND_NAMES } from './init.ts';
export type { BackendInfo, ResolvedBackendName } from './init.ts';
export { registerWasmKernels } from './kernels/register.ts';
export { registerMissingGradients } from './gradients.ts';
