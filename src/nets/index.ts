/**
 * nets/: the generator (mapping + synthesis for every row A-R of the ladder) and the
 * discriminator, built from a Plan; their weights in and out under the official state_dict names.
 * Activations are NHWC inside; images cross the public boundary as NCHW, as in the official code.
 */
export { Generator, buildGenerator, type GeneratorOptions, type BuildOptions } from './generator.ts';
export { Discriminator, buildDiscriminator, minibatchStd, type DiscriminatorOptions } from './discriminator.ts';
export { MappingNetwork, type MappingOptions } from './mapping.ts';
export { SynthesisNetwork, type SynthesisOptions } from './synthesis.ts';
export type { NoiseMode } from './synthesis-layer.ts';
export { NetState, type EntryKind, type EntrySpec, type StateEntry } from './state.ts';
export { generatorSpecs, discriminatorSpecs, usesBlockNames } from './specs.ts';
export {
  saveNetwork, saveCheckpoint, loadNetwork, loadCheckpoint, loadPreferred, loadGeneratorForInference, checkpointNetworks,
  CHECKPOINT_NETWORKS, type NetworkName, type WeightSource, type HasState,
} from './weights.ts';
export { blurImages, blurTapsFor } from './blur.ts';
export { seedsToZ, makeTransform } from './latents.ts';
