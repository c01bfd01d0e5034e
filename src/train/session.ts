/**
 * A training session: everything the loop works on, built from a TrainContext (official
 * training_loop.py "Initialize" .. "Setup training phases"): the dataset and its loader, G, D and
 * G_ema from the plan, the two Adam optimizers with the plan's lazy-regularisation-corrected
 * settings, the augmentation pipe, the loss, the one Rng; then, for `--resume`, the checkpoint's
 * state, or for `--resume-from`, its weights.
 */
import { RunError } from '../errors.ts';
import { createLoader, openDataset, type ImageDataset, type Loader } from '../data/index.ts';
import { buildDiscriminator, buildGenerator, checkpointNetworks, loadCheckpoint, loadNetwork, type Discriminator, type Generator } from '../nets/index.ts';
import { readSafetensors } from '../io/safetensors.ts';
import type { Plan, TrainingPlan } from '../plan/types.ts';
import type { ResolvedConfig } from '../config/types.ts';
import { Adam } from './adam.ts';
import { AugmentPipe } from './augment/pipe.ts';
import { StyleGAN2Loss } from './loss.ts';
import { Rng } from '../io/rng.ts';
import { trainingForResumeFrom } from './schedule.ts';
import { checkTrainState, restoreState, type TrainState } from './state.ts';
import { AdaSigns, TickStats } from './stats.ts';
import type { TrainContext } from './run/types.ts';

export interface Session {
  ctx: TrainContext;
  config: ResolvedConfig;
  plan: Plan;
  training: TrainingPlan;        // the plan's, with the ramps off after --resume-from
  rampsOff: boolean;
  dataset: ImageDataset;
  loader: Loader;
  G: Generator;
  Gema: Generator;
  D: Discriminator;
  optG: Adam;
  optD: Adam;
  augment: AugmentPipe | null;
  rng: Rng;
  loss: StyleGAN2Loss;
  ada: AdaSigns;
  stats: TickStats;
  step: number;                  // official batch_idx: optimizer iterations done
  curNimg: number;               // real images shown so far
}

/** Stream offsets of the seed: the nets' initialisations and the loop's Rng never share a stream. */
const SEED_D = 1;
const SEED_LOOP = 0x5eed;

function checkDataset(dataset: ImageDataset, plan: Plan): void {
  if (dataset.resolution !== plan.img_resolution || dataset.channels !== plan.img_channels) {
    throw new RunError(`data: dataset ${dataset.name} has ${dataset.channels}x${dataset.resolution}x${dataset.resolution} images, the plan needs ${plan.img_channels}x${plan.img_resolution}x${plan.img_resolution} (got data.resolution/channels that do not match the dataset)`);
  }
}

/**
 * Official --resume of train.py: G, D and G_ema copied from the file (require_all=False: the
 * networks it has); a single-network file (official state_dict keys) initialises G and G_ema.
 */
function loadResumeFrom(path: string, G: Generator, Gema: Generator, D: Discriminator): string[] {
  const file = readSafetensors(path);
  const nets = checkpointNetworks(file.tensors);
  if (nets.length === 0) {
    loadNetwork(G, file);
    Gema.state.copyFrom(G.state);
    return ['G (state_dict)', 'G_ema (= G)'];
  }
  loadCheckpoint(file, { G: nets.includes('G') ? G : undefined, G_ema: nets.includes('G_ema') ? Gema : undefined, D: nets.includes('D') ? D : undefined });
  if (!nets.includes('G_ema') && nets.includes('G')) Gema.state.copyFrom(G.state);
  return nets;
}

export async function createSession(ctx: TrainContext): Promise<Session> {
  const { config, plan } = ctx;
  const seed = config.train.seed;
  let state: TrainState | null = null;
  let tensors = null;
  if (ctx.resume) {
    const read = ctx.runDir.readCheckpoint(ctx.resume.checkpoint);
    state = checkTrainState(read.state, ctx.resume.checkpoint.manifestPath);
    tensors = read.tensors;
  }
  const rampsOff = state?.ramps_off ?? ctx.resumeFrom !== null;
  const dataset = await openDataset(config.data);
  checkDataset(dataset, plan);
  const loader = createLoader(dataset, { batch: plan.training.batch, seed, mirror: config.data.mirror, prefetch: config.data.prefetch, state: state?.loader });
  const G = buildGenerator(plan, { seed });
  const D = buildDiscriminator(plan, { seed: seed + SEED_D });
  const Gema = buildGenerator(plan, { seed });
  Gema.state.copyFrom(G.state);                                       // official G_ema = deepcopy(G)
  const optG = new Adam(G.state.namedTrainable(), plan.training.adam.G, 'adam G');
  const optD = new Adam(D.state.namedTrainable(), plan.training.adam.D, 'adam D');
  const augment = AugmentPipe.fromConfig(config.augment);
  const rng = state ? Rng.fromState(state.rng) : new Rng(seed * 0x10000 + SEED_LOOP);
  const training = rampsOff ? trainingForResumeFrom(plan.training) : plan.training;
  const loss = new StyleGAN2Loss(G, D, training, augment, rng);
  const s: Session = {
    ctx, config, plan, training, rampsOff, dataset, loader, G, Gema, D, optG, optD, augment, rng, loss,
    ada: new AdaSigns(), stats: new TickStats(), step: 0, curNimg: 0,
  };
  if (state && tensors) {
    restoreState(s, tensors, state, ctx.resume!.checkpoint.tensorsPath);
  } else if (ctx.resumeFrom) {
    const loaded = loadResumeFrom(ctx.resumeFrom, G, Gema, D);
    ctx.runDir.logger.info({ resume_from: ctx.resumeFrom, networks: loaded }, `initialised ${loaded.join(', ')} from ${ctx.resumeFrom} (EMA and blur ramps off, as the official --resume)`);
  }
  return s;
}

export function disposeSession(s: Session): void {
  s.loader.close();
  s.dataset.close();
  s.G.dispose();
  s.Gema.dispose();
  s.D.dispose();
  s.optG.dispose();
  s.optD.dispose();
}
