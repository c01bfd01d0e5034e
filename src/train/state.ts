/**
 * Everything a training session must save to continue bit for bit, and its restore:
 *
 *   tensors (checkpoint-<label>.safetensors)    JSON state (checkpoint-<label>.json `state`)
 *   G.<official key>       G's parameters/buffers   step, cur_nimg, kimg       counters (official batch_idx, cur_nimg)
 *   G_ema.<official key>   the EMA generator        rng                        the loop's Rng (z, mixing, noise, augment draws)
 *   D.<official key>       the discriminator        loader                     the data loader's position
 *   opt.G.<param>.exp_avg / .exp_avg_sq             adam.{G,D}.steps           torch's per-parameter Adam steps
 *   opt.D.<param>.exp_avg / .exp_avg_sq             augment_p, ada             ADA's p and its running sign sum
 *                                                   pl_mean                    path-length EMA
 *                                                   ramps_off                  started with --resume-from (no EMA/blur ramps)
 *
 * `LastGood` holds a copy of all of it taken at the start of a step, so that a step that produces
 * a NaN/Inf loss can be checkpointed as the state before it (the failing step may already have
 * applied some of its phases).
 */
import { tf } from '../backend/tf.ts';
import { RunError } from '../errors.ts';
import type { NamedTensor } from '../io/safetensors.ts';
import type { LoaderState } from '../data/loader.ts';
import { loadCheckpoint } from '../nets/weights.ts';
import type { Adam, AdamState } from './adam.ts';
import type { RngState } from '../io/rng.ts';
import type { AdaSignsState } from './stats.ts';
import type { CheckpointState } from './run/types.ts';
import type { Session } from './session.ts';

export const TRAIN_STATE_FORMAT = 'sg3-train-state';

export interface TrainState extends CheckpointState {
  format: typeof TRAIN_STATE_FORMAT;
  version: 1;
  kimg: number;
  rng: RngState;
  loader: LoaderState;
  augment_p: number | null;
  ada: AdaSignsState;
  pl_mean: number;
  adam: { G: AdamState; D: AdamState };
  ramps_off: boolean;
}

/** Every tensor of the state as (checkpoint name, variable), in checkpoint order. */
export function stateVariables(s: Session): [string, tf.Variable][] {
  const out: [string, tf.Variable][] = [];
  for (const [prefix, net] of [['G.', s.G], ['G_ema.', s.Gema], ['D.', s.D]] as const) {
    for (const e of net.state.entries()) out.push([`${prefix}${e.name}`, e.variable]);
  }
  const opt = (prefix: string, o: Adam) => { for (const [n, v] of o.variables()) out.push([`${prefix}${n}`, v]); };
  opt('opt.G.', s.optG);
  opt('opt.D.', s.optD);
  return out;
}

/** The JSON half of the state, now. */
export function captureState(s: Session): TrainState {
  return {
    format: TRAIN_STATE_FORMAT,
    version: 1,
    step: s.step,
    cur_nimg: s.curNimg,
    kimg: s.curNimg / 1000,
    rng: s.rng.getState(),
    loader: s.loader.state(),
    augment_p: s.augment?.p ?? null,
    ada: s.ada.state(),
    pl_mean: s.loss.plMean,
    adam: { G: s.optG.state(), D: s.optD.state() },
    ramps_off: s.rampsOff,
  };
}

function toNamed(t: tf.Tensor): NamedTensor {
  return { dtype: 'F32', shape: t.shape, data: t.dataSync() as Float32Array };
}

/** The tensor half of the state, now, as checkpoint tensors. */
export function checkpointTensors(s: Session): Map<string, NamedTensor> {
  return new Map(stateVariables(s).map(([name, v]) => [name, toNamed(v)]));
}

/** Checks the JSON state of a checkpoint before anything is restored from it. */
export function checkTrainState(state: CheckpointState, where: string): TrainState {
  const st = state as Partial<TrainState>;
  if (st.format !== TRAIN_STATE_FORMAT || st.version !== 1) {
    throw new RunError(`${where}: not an sg3 training state (got format ${JSON.stringify(st.format)} version ${JSON.stringify(st.version)})`);
  }
  for (const key of ['rng', 'loader', 'ada', 'adam'] as const) {
    if (st[key] == null) throw new RunError(`${where}: training state lacks ${key}`);
  }
  return st as TrainState;
}

/**
 * Restores a session from checkpoint tensors + state (the session was built fresh from the same
 * plan). The loader and the Rng are restored by the session setup, which needs them first.
 */
export function restoreState(s: Session, tensors: Map<string, NamedTensor>, state: TrainState, where: string): void {
  loadCheckpoint(tensors, { G: s.G, G_ema: s.Gema, D: s.D });
  s.optG.load(tensors, 'opt.G.', state.adam.G);
  s.optD.load(tensors, 'opt.D.', state.adam.D);
  s.step = state.step;
  s.curNimg = state.cur_nimg;
  s.loss.plMean = state.pl_mean;
  s.ada.restore(state.ada);
  if (s.augment && state.augment_p !== null) s.augment.p = state.augment_p;
  if (!s.augment && state.augment_p !== null && state.augment_p > 0) {
    throw new RunError(`${where}: the checkpoint has augmentation p=${state.augment_p} but this config has none`);
  }
}

/** A copy of the whole state at the start of a step (see the file comment). */
export class LastGood {
  private tensors: [string, tf.Tensor][] = [];
  private json: TrainState | null = null;

  capture(s: Session): void {
    this.dispose();
    this.tensors = stateVariables(s).map(([name, v]) => [name, tf.clone(v)]);
    this.json = captureState(s);
  }

  get state(): TrainState | null {
    return this.json;
  }

  namedTensors(): Map<string, NamedTensor> {
    return new Map(this.tensors.map(([name, t]) => [name, toNamed(t)]));
  }

  dispose(): void {
    for (const [, t] of this.tensors) t.dispose();
    this.tensors = [];
    this.json = null;
  }
}
