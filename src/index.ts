/**
 * sg3 as a library: the same pipeline the CLI runs, one call per stage.
 *
 *   const cfg  = loadConfig('configs/stylegan3-t.yaml', { profile: 'smoke', set: ['train.batch=8'] });
 *   const plan = planExperiment(cfg);
 *   await initBackend(cfg.runtime.backend);
 *   const G = buildGenerator(plan, { weights: 'G.safetensors' });   // or { seed } for a fresh one
 *   const D = buildDiscriminator(plan, { seed: 1 });
 *   const ws  = G.mapping(z, null, { truncationPsi: 0.7 });          // [N, num_ws, w_dim]
 *   const img = G.synthesis(ws, { noiseMode: 'const' });             // NCHW [N, C, H, W]
 *   const logits = D.forward(img, null);                             // [N, 1]
 *
 * Trainable variables: `G.trainableVariables()` / `D.trainableVariables()` (tf.Variable[] for
 * tf.variableGrads); buffers (magnitude_ema, w_avg, ...) stay in `net.state` as non-trainable
 * variables (`state.snapshotBuffers()` / `restoreBuffers()`; `state.copyFrom()` / `lerpFrom()`
 * for G_ema). Images cross the API as NCHW float32, as in the official code.
 */
export { tf, initBackend, BACKEND_NAMES, type BackendInfo } from './backend/index.ts';
export { loadConfig, checkConfig, configToYaml, type ResolvedConfig, type ConfigOptions } from './config/index.ts';
export { planExperiment, planToJson, parsePlan, generatorParams, discriminatorParams, type Plan } from './plan/index.ts';
export {
  Generator, Discriminator, NetState, buildGenerator, buildDiscriminator,
  saveNetwork, saveCheckpoint, loadNetwork, loadCheckpoint, loadPreferred, loadGeneratorForInference, checkpointNetworks,
  blurImages, blurTapsFor, minibatchStd, seedsToZ, makeTransform, CHECKPOINT_NETWORKS,
  type GeneratorOptions, type MappingOptions, type SynthesisOptions, type DiscriminatorOptions, type NoiseMode,
  type BuildOptions, type NetworkName, type WeightSource, type HasState, type StateEntry, type EntryKind,
} from './nets/index.ts';
export { readSafetensors, writeSafetensors, parseSafetensors, serializeSafetensors, getF32, type NamedTensor, type SafetensorsFile } from './io/safetensors.ts';
export { ConfigError, UsageError, RunError, isUserError } from './errors.ts';
