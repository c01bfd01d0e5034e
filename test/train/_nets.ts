/**
 * Test helpers: the golden loss networks (G = g_sg3_T16_params, D = d_sg2_16_params) built through
 * the real config files, and small tensor utilities.
 */
import { join } from 'node:path';
import { tf } from '../../src/backend/index.ts';
import { loadConfig } from '../../src/config/index.ts';
import type { ResolvedConfig } from '../../src/config/types.ts';
import { buildDiscriminator, buildGenerator, loadNetwork, type Discriminator, type Generator } from '../../src/nets/index.ts';
import { planExperiment } from '../../src/plan/index.ts';
import type { Plan } from '../../src/plan/types.ts';
import { GOLDEN, REPO_ROOT } from '../_golden.ts';

/** The golden loss_T16_D16 networks' constructor arguments, as config overrides of stylegan3-t. */
export const GOLDEN_LOSS_SET = [
  'data.resolution=16', 'data.channels=3',
  'generator.z_dim=32', 'generator.w_dim=32', 'generator.mapping.layers=2',
  'generator.channels={base: 160, max: 32}', 'generator.magnitude_ema_beta=0.999',
  'discriminator.channels={base: 256, max: 32}', 'discriminator.mbstd_group_size=4',
  'loss.r1_gamma=1', 'loss.blur_sigma=0', 'train.batch=4',
];

export function goldenLossConfig(): ResolvedConfig {
  return loadConfig(join(REPO_ROOT, 'configs', 'stylegan3-t.yaml'), { profile: 'smoke', set: GOLDEN_LOSS_SET });
}

export function goldenLossNets(plan: Plan = planExperiment(goldenLossConfig())): { plan: Plan; G: Generator; D: Discriminator } {
  const G = buildGenerator(plan, { seed: 1 });
  const D = buildDiscriminator(plan, { seed: 2 });
  loadNetwork(G, join(GOLDEN, 'g_sg3_T16_params.safetensors'));
  loadNetwork(D, join(GOLDEN, 'd_sg2_16_params.safetensors'));
  return { plan, G, D };
}

export function l2(t: tf.Tensor): number {
  const v = t.dataSync();
  let s = 0;
  for (const x of v) s += x * x;
  return Math.sqrt(s);
}
