/**
 * The generator G = mapping + synthesis (official Generator), built from a Plan. Parameters and
 * buffers live in one NetState under the official state_dict names; a trainer takes
 * `trainableVariables()` for tf.variableGrads and keeps buffers apart (`state.snapshotBuffers()`).
 */
import { tf } from '../backend/tf.ts';
import { Rng } from '../io/rng.ts';
import type { Plan } from '../plan/types.ts';
import { MappingNetwork, type MappingOptions } from './mapping.ts';
import { generatorSpecs } from './specs.ts';
import { NetState } from './state.ts';
import { loadGeneratorForInference, type WeightSource } from './weights.ts';
import { SynthesisNetwork, type SynthesisOptions } from './synthesis.ts';

export type GeneratorOptions = MappingOptions & SynthesisOptions;

export class Generator {
  readonly mappingNetwork: MappingNetwork;
  readonly synthesisNetwork: SynthesisNetwork;

  constructor(readonly plan: Plan, readonly state: NetState) {
    this.mappingNetwork = new MappingNetwork(plan.mapping, state);
    this.synthesisNetwork = new SynthesisNetwork(plan.synthesis, plan.mapping.w_dim, state);
  }

  get zDim(): number { return this.plan.mapping.z_dim; }
  get wDim(): number { return this.plan.mapping.w_dim; }
  get numWs(): number { return this.plan.mapping.num_ws; }

  /** z [N, z_dim] -> ws [N, num_ws, w_dim] (official G.mapping; c must be null: c_dim is 0). */
  mapping(z: tf.Tensor2D, c: tf.Tensor | null = null, opts: MappingOptions = {}): tf.Tensor3D {
    return this.mappingNetwork.forward(z, c, opts);
  }

  /** ws [N, num_ws, w_dim] -> img NCHW [N, C, H, W] after output_scale (official G.synthesis). */
  synthesis(ws: tf.Tensor3D, opts: SynthesisOptions = {}): tf.Tensor4D {
    return this.synthesisNetwork.forward(ws, opts);
  }

  /** G(z, c): mapping then synthesis; updateEmas applies to both (official Generator.forward). */
  forward(z: tf.Tensor2D, c: tf.Tensor | null = null, opts: GeneratorOptions = {}): tf.Tensor4D {
    return tf.tidy(() => this.synthesis(this.mapping(z, c, opts), opts));
  }

  trainableVariables(): tf.Variable[] {
    return this.state.trainableVariables();
  }

  /**
   * Sets `synthesis.input.transform`, the user-specified inverse transform of the Fourier features
   * (3x3, row-major; null = identity), as gen_images.py does before synthesis.
   */
  setInputTransform(matrix: number[][] | null): void {
    const t = this.synthesisNetwork.input.transform;
    if (!t) throw new Error('setInputTransform: this generator has a constant input (row A); it cannot be translated or rotated');
    const m = matrix ?? [[1, 0, 0], [0, 1, 0], [0, 0, 1]];
    tf.tidy(() => t.assign(tf.tensor2d(m, [3, 3], 'float32')));
  }

  dispose(): void {
    this.synthesisNetwork.dispose();
    this.state.dispose();
  }
}

export interface BuildOptions {
  seed?: number;                // initialisation seed (default 0)
  weights?: WeightSource;       // load these weights (a single-network file, or a checkpoint: G_ema, then G)
}

/** A generator with the official initialisation drawn from `seed`, then the given weights if any. */
export function buildGenerator(plan: Plan, opts: BuildOptions = {}): Generator {
  const G = new Generator(plan, new NetState(generatorSpecs(plan, new Rng(opts.seed ?? 0)), 'generator'));
  if (opts.weights !== undefined) {
    try {
      loadGeneratorForInference(G, opts.weights);
    } catch (e) {
      G.dispose();
      throw e;
    }
  }
  return G;
}
