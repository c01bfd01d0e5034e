/**
 * The one place sg3 imports TensorFlow.js. Every other module writes
 *
 *     import { tf } from '../backend/tf.ts';
 *
 * and never imports `@tensorflow/*` itself, so that which engine and which kernels are present is
 * decided here and in `init.ts` only.
 *
 * Why one namespace serves every backend: tfjs keeps its engine, kernel registry and gradient
 * registry on `globalThis`. The optional native packages (`@tensorflow/tfjs-node[-gpu]`) register
 * their `tensorflow` backend into that same global engine when `initBackend` imports them, so the
 * `tf` exported here runs on them without being replaced. (A tfjs-node build that pins another
 * tfjs-core version still shares the global registries; tensors pass `instanceof` checks across
 * copies through tfjs's own `Symbol.hasInstance`.)
 *
 * Importing this module has four side effects, all needed before the first op:
 *  1. the `cpu` backend is registered (always available, the slow reference);
 *  2. tfjs's gradient functions are registered: `@tensorflow/tfjs-core`'s CommonJS bundle (what
 *     Node resolves) ships without them, and its ESM files use extensionless imports Node cannot
 *     resolve, so they are loaded through tsx's CommonJS loader (tsx is a runtime dependency);
 *  3. likewise the chained ops (`x.sum()`, `x.add(y)`): the typings declare them but the CommonJS
 *     bundle does not install them, so without this they type-check and then fail at run time;
 *  4. the gradients tfjs lacks (comparisons, backprop-of-backprop kernels) are registered by
 *     `registerMissingGradients`, which R1 and path-length regularisation need.
 * Cost: about 1.5 s of module loading on first import.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { require as tsxRequire } from 'tsx/cjs/api';
import { registerMissingGradients } from './gradients.ts';

tsxRequire('@tensorflow/tfjs-core/dist/register_all_gradients.js', import.meta.url);
tsxRequire('@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops.js', import.meta.url);
registerMissingGradients();

export { tf };

// Type aliases so that callers can write `Tensor4D` without a second import line.
export type Tensor = tf.Tensor;
export type Scalar = tf.Scalar;
export type Tensor1D = tf.Tensor1D;
export type Tensor2D = tf.Tensor2D;
export type Tensor3D = tf.Tensor3D;
export type Tensor4D = tf.Tensor4D;
export type Rank = tf.Rank;
export type TensorInfo = tf.TensorInfo;
export type Variable = tf.Variable;
