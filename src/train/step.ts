/**
 * One training iteration, as the body of the official training_loop.py `while True`:
 * 1. fetch a batch of reals (uint8 NCHW -> float32 x / 127.5 - 1) and split it into rounds of
 *    batch_per_step; draw z for every phase (also for phases that skip this step, as officially);
 * 2. for every phase due at this batch index: accumulate the gradients of all rounds (summed, as
 *    successive backward() calls do), stop on a non-finite loss, then one Adam step;
 * 3. G_ema <- lerp(G, G_ema, beta) for the parameters, buffers copied;
 * 4. cur_nimg += batch, batch_idx += 1; every augment.interval steps, ADA adjusts p.
 */
import { tf } from '../backend/tf.ts';
import { RunError } from '../errors.ts';
import type { Batch } from '../data/index.ts';
import type { PhasePlan } from '../plan/types.ts';
import { adaAdjust } from './augment/ada.ts';
import type { RoundInputs, StyleGAN2Loss } from './loss.ts';
import { blurSigmaAt, emaBetaAt, phaseRuns } from './schedule.ts';
import type { Session } from './session.ts';

/** A NaN or Inf in a loss: the loop checkpoints the state before this step and stops. */
export class NonFiniteLossError extends RunError {
  constructor(readonly phase: string, readonly term: string, readonly value: number, readonly step: number) {
    super(`train: non-finite ${term} loss in phase ${phase} at step ${step} (got ${value})`);
  }
}

/** Reals as float32 NCHW rounds [batch_per_step, C, H, W]. */
export function realRounds(batch: Batch, rounds: number): tf.Tensor4D[] {
  const { channels: c, resolution: r } = batch;
  return tf.tidy(() => {
    const x = tf.sub(tf.div(tf.tensor4d(Float32Array.from(batch.images), [batch.batch, c, r, r]), 127.5), 1) as tf.Tensor4D;
    return tf.split(x, rounds, 0) as tf.Tensor4D[];
  });
}

/** z for one phase: [batch, z_dim] standard normals from the loop's Rng, split into rounds. */
export function phaseLatents(s: Session, rounds: number): tf.Tensor2D[] {
  const { batch } = s.training;
  const zDim = s.plan.mapping.z_dim;
  return tf.tidy(() => tf.split(tf.tensor2d(Float32Array.from(s.rng.unpairedNormals(batch * zDim)), [batch, zDim]), rounds, 0) as tf.Tensor2D[]);
}

function firstNonFinite(terms: Map<string, Float32Array>): [string, number] | null {
  for (const [name, values] of terms) for (const v of values) if (!Number.isFinite(v)) return [name, v];
  return null;
}

/**
 * One phase over its rounds: the gradients of every round summed by parameter name (as successive
 * backward() calls accumulate .grad), and each round's stats. Throws NonFiniteLossError on the
 * first NaN/Inf loss term, before anything is applied. The caller owns and disposes the sums.
 */
export function accumulatePhase(
  loss: StyleGAN2Loss, phase: PhasePlan, rounds: RoundInputs[], step: number, onStats: (stats: Map<string, Float32Array>) => void,
): Map<string, tf.Tensor> {
  const sum = new Map<string, tf.Tensor>();
  try {
    for (const inputs of rounds) {
      const res = loss.accumulate(phase, inputs);
      for (const [name, g] of res.grads) {
        const prev = sum.get(name);
        sum.set(name, prev ? tf.tidy(() => tf.add(prev, g)) : g);
        if (prev) { prev.dispose(); g.dispose(); }
      }
      const bad = firstNonFinite(res.terms);
      if (bad) throw new NonFiniteLossError(phase.name, bad[0], bad[1], step);
      onStats(res.stats);
    }
  } catch (e) {
    for (const g of sum.values()) g.dispose();
    throw e;
  }
  return sum;
}

/** A phase of the session's step: accumulate over the rounds, then one optimizer step. */
export function runPhase(s: Session, phase: PhasePlan, reals: tf.Tensor4D[], zs: tf.Tensor2D[]): void {
  if (phase.terms.length === 0) return;                                // official: nothing evaluated, no step
  const blurSigma = blurSigmaAt(s.curNimg, s.training);
  const rounds = reals.map((realImg, r) => ({ realImg, genZ: zs[r]!, gain: phase.gain, blurSigma }));
  const sum = accumulatePhase(s.loss, phase, rounds, s.step, (stats) => {
    s.stats.reportAll(stats);
    const signs = stats.get('Loss/signs/real');
    if (signs && s.config.augment.kind === 'ada') s.ada.add(signs);
  });
  try {
    (phase.module === 'G' ? s.optG : s.optD).step(sum);
  } finally {
    for (const g of sum.values()) g.dispose();
  }
}

/** Runs one iteration (see the file comment); the caller handles snapshots and stopping. */
export async function runStep(s: Session): Promise<void> {
  const t = s.training;
  const batch = await s.loader.next();
  const reals = realRounds(batch, t.accumulation_rounds);
  const latents = t.phases.map(() => phaseLatents(s, t.accumulation_rounds));
  try {
    t.phases.forEach((phase, i) => { if (phaseRuns(phase, s.step)) runPhase(s, phase, reals, latents[i]!); });
  } finally {
    for (const x of [...reals, ...latents.flat()]) x.dispose();
  }
  s.Gema.state.lerpFrom(s.G.state, emaBetaAt(s.curNimg, t));
  s.curNimg += t.batch;
  s.step += 1;
  const aug = s.ctx.config.augment;
  if (s.augment && aug.kind === 'ada' && s.step % aug.interval === 0) {
    const rt = s.ada.take();
    if (rt !== null) s.augment.p = adaAdjust(s.augment.p, rt, t.batch, aug);
  }
}
