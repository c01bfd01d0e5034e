/**
 * The official StyleGAN2Loss (training/loss.py), which StyleGAN3 trains with: non-saturating
 * logistic losses, lazy R1 on reals, optional path-length regularisation and style mixing, the
 * D input blur and the augmentation pipe in front of D.
 *
 * One call of `accumulate` is one official `accumulate_gradients(phase, ...)` on one round of
 * `batch_per_step` samples; it returns the gradients (by official parameter name) of
 * sum over the phase's terms of mean(term) * gain, which is what the official successive
 * `.backward()` calls leave in `.grad`. Only the phase's module gets gradients (as the official
 * `requires_grad_` switching). Images are NCHW as G returns them and D takes them; augmentation
 * runs NHWC (the layout of AugmentPipe).
 *
 * Random draws (style-mixing cutoffs and latents, G noise seeds, path-length noise, augmentation
 * parameters) come from the one Rng passed in, in a fixed order, so a step is a pure function of
 * the weights, the batch and that Rng's state.
 */
import { tf } from '../backend/tf.ts';
import { blurImages, blurTapsFor } from '../nets/blur.ts';
import type { PhasePlan, TrainingPlan } from '../plan/types.ts';
import type { AugmentPipe } from './augment/pipe.ts';
import type { Rng } from '../io/rng.ts';

/** What the loss needs of a generator (nets' Generator has it). */
export interface LossGenerator {
  readonly state: { namedTrainable(): [string, tf.Variable][] };
  mapping(z: tf.Tensor2D, c: tf.Tensor | null, opts: { updateEmas?: boolean }): tf.Tensor3D;
  synthesis(ws: tf.Tensor3D, opts: { updateEmas?: boolean; noiseSeed?: number }): tf.Tensor4D;
}

/** What the loss needs of a discriminator (nets' Discriminator has it). */
export interface LossDiscriminator {
  readonly state: { namedTrainable(): [string, tf.Variable][] };
  forward(img: tf.Tensor4D, c: tf.Tensor | null): tf.Tensor2D;
}

export type LossSettings = Pick<TrainingPlan, 'r1_gamma' | 'style_mixing_prob' | 'pl_weight' | 'pl_batch_shrink' | 'pl_decay'>;

/** One round of one phase. */
export interface RoundInputs {
  realImg: tf.Tensor4D;       // NCHW float32 in [-1, 1], [batch_per_step, C, H, W]
  genZ: tf.Tensor2D;          // [batch_per_step, z_dim]
  gain: number;               // phase.interval (official gain)
  blurSigma: number;          // current D blur sigma (schedule.blurSigmaAt)
}

export interface RoundResult {
  grads: Map<string, tf.Tensor>;            // official parameter name -> gradient (caller disposes)
  stats: Map<string, Float32Array>;         // official training_stats names -> per-sample values
  terms: Map<string, Float32Array>;         // per-sample loss terms: Gmain, Gpl, Dgen, Dreal, Dr1
}

type Term = 'Gmain' | 'Gpl' | 'Dgen' | 'Dreal' | 'Dr1';

/** Collects tensors to read back after the gradient computation (kept across its tidy scopes). */
class Reports {
  private readonly pending: [Map<string, Float32Array>, string, tf.Tensor][] = [];
  private readonly held: tf.Tensor[] = [];
  readonly stats = new Map<string, Float32Array>();
  readonly terms = new Map<string, Float32Array>();
  stat(name: string, t: tf.Tensor): void { this.pending.push([this.stats, name, tf.keep(tf.reshape(t, [-1]))]); }
  term(name: Term, t: tf.Tensor): void { this.pending.push([this.terms, name, tf.keep(tf.reshape(t, [-1]))]); }
  /** Keeps a tensor made inside an inner gradient scope alive for the outer one; disposed by collect(). */
  hold<T extends tf.Tensor>(t: T): T { this.held.push(tf.keep(t)); return t; }
  /** Reads every kept tensor (a stat reported twice in one round is concatenated) and disposes them. */
  collect(): void {
    for (const [into, name, t] of this.pending) {
      const v = t.dataSync() as Float32Array;
      const prev = into.get(name);
      into.set(name, prev ? Float32Array.from([...prev, ...v]) : Float32Array.from(v));
      t.dispose();
    }
    this.pending.length = 0;
    for (const t of this.held) t.dispose();
    this.held.length = 0;
  }
}

export class StyleGAN2Loss {
  /** Path-length EMA (official `self.pl_mean`), part of the checkpointed state. */
  plMean = 0;

  constructor(
    readonly G: LossGenerator,
    readonly D: LossDiscriminator,
    readonly settings: LossSettings,
    readonly augmentPipe: AugmentPipe | null,
    readonly rng: Rng,
  ) {}

  /**
   * run_G: ws = mapping(z); with style mixing, rows >= a random cutoff in [1, num_ws) come from the
   * mapping of fresh latents (with probability style_mixing_prob; otherwise cutoff = num_ws);
   * then synthesis. Returns NCHW images and the ws used.
   */
  runG(z: tf.Tensor2D, updateEmas: boolean): { img: tf.Tensor4D; ws: tf.Tensor3D } {
    const ws = this.mapWithMixing(z, updateEmas);
    return { img: this.G.synthesis(ws, { updateEmas, noiseSeed: this.rng.nextU32() }), ws };
  }

  private mapWithMixing(z: tf.Tensor2D, updateEmas: boolean): tf.Tensor3D {
    let ws = this.G.mapping(z, null, { updateEmas });
    if (this.settings.style_mixing_prob > 0) {
      const [n, numWs, wDim] = ws.shape;
      let cutoff = 1 + Math.floor(this.rng.uniform() * (numWs - 1));      // torch random_(1, num_ws)
      if (!(this.rng.uniform() < this.settings.style_mixing_prob)) cutoff = numWs;
      const z2 = tf.tensor2d(Float32Array.from(this.rng.unpairedNormals(z.size)), z.shape);
      if (cutoff < numWs) {
        const ws2 = this.G.mapping(z2, null, { updateEmas: false });
        ws = tf.concat([tf.slice(ws, [0, 0, 0], [n, cutoff, wDim]), tf.slice(ws2, [0, cutoff, 0], [n, numWs - cutoff, wDim])], 1);
      }
    }
    return ws;
  }

  /**
   * run_D: img NCHW -> logits [N, 1]:
   * 1. blur with the 2 floor(3 sigma) + 1 taps 2^(-(k/sigma)^2) while sigma > 0 (nets/blur.ts);
   * 2. augmentation (NCHW -> NHWC -> AugmentPipe -> NCHW), drawing its parameters from the Rng;
   * 3. D.
   */
  runD(img: tf.Tensor4D, blurSigma: number): tf.Tensor2D {
    let x = img;
    if (blurSigma > 0 && blurTapsFor(blurSigma)) x = blurImages(x, blurSigma);
    if (this.augmentPipe) {
      const nhwc = tf.transpose(x, [0, 2, 3, 1]) as tf.Tensor4D;      // NCHW -> NHWC
      x = tf.transpose(this.augmentPipe.augment(nhwc, this.rng), [0, 3, 1, 2]) as tf.Tensor4D;
    }
    return this.D.forward(x, null);
  }

  /** One round of `phase` (its plan terms decide what is evaluated; no terms = nothing, as officially). */
  accumulate(phase: Pick<PhasePlan, 'module' | 'terms'>, inp: RoundInputs): RoundResult {
    const terms = new Set(phase.terms as Term[]);
    const rep = new Reports();
    const grads = new Map<string, tf.Tensor>();
    if (terms.size === 0) return { grads, stats: rep.stats, terms: rep.terms };
    const named = phase.module === 'G' ? this.G.state.namedTrainable() : this.D.state.namedTrainable();
    const nameOf = new Map(named.map(([n, v]) => [v.name, n]));
    const out = tf.tidy(() => {
      // Dgen's fakes come from G with update_emas (magnitude EMAs, w_avg), outside D's gradient tape.
      const genImg = terms.has('Dgen') ? this.runG(inp.genZ, true).img : null;
      return tf.variableGrads(() => {
        const parts: tf.Scalar[] = [];
        if (terms.has('Gmain')) parts.push(this.gMain(inp, rep));
        if (terms.has('Gpl')) parts.push(this.gPl(inp, rep));
        let dGen: tf.Tensor | null = null;
        if (genImg) ({ loss: dGen } = this.dGen(genImg, inp, rep, parts));
        if (terms.has('Dreal') || terms.has('Dr1')) parts.push(this.dReal(inp, terms.has('Dreal'), terms.has('Dr1'), dGen, rep));
        return tf.mul(tf.addN(parts), inp.gain) as tf.Scalar;
      }, named.map(([, v]) => v)).grads;
    });
    for (const [vname, g] of Object.entries(out)) grads.set(nameOf.get(vname)!, g);
    rep.collect();
    return { grads, stats: rep.stats, terms: rep.terms };
  }

  /** Gmain: softplus(-D(G(z))), G without EMA updates. */
  private gMain(inp: RoundInputs, rep: Reports): tf.Scalar {
    const { img } = this.runG(inp.genZ, false);
    const logits = this.runD(img, inp.blurSigma);
    const loss = tf.softplus(tf.neg(logits));
    rep.stat('Loss/scores/fake', logits);
    rep.stat('Loss/signs/fake', tf.sign(logits));
    rep.stat('Loss/G/loss', loss);
    rep.term('Gmain', loss);
    return tf.mean(loss) as tf.Scalar;
  }

  /**
   * Gpl (StyleGAN2 path-length regularisation) on batch / pl_batch_shrink samples:
   * pl_grads = d sum(G.synthesis(ws) * noise) / d ws with noise ~ N(0, 1) / sqrt(H W);
   * pl_lengths = sqrt(mean over ws rows of sum over w_dim of pl_grads^2);
   * pl_mean <- lerp(pl_mean, mean(pl_lengths), pl_decay) (the gradient flows through the new mean);
   * penalty = (pl_lengths - pl_mean)^2, loss = penalty * pl_weight.
   */
  private gPl(inp: RoundInputs, rep: Reports): tf.Scalar {
    const s = this.settings;
    const n = Math.max(1, Math.floor(inp.genZ.shape[0] / s.pl_batch_shrink));
    const z = tf.slice(inp.genZ, [0, 0], [n, inp.genZ.shape[1]]) as tf.Tensor2D;
    const ws = this.mapWithMixing(z, false);
    const noiseSeed = this.rng.nextU32();
    const [, c, h, w] = inp.realImg.shape;
    const noise = tf.div(tf.tensor4d(Float32Array.from(this.rng.unpairedNormals(n * c * h * w)), [n, c, h, w]), Math.sqrt(h * w));
    const [plGrads] = tf.grads((x: tf.Tensor) => tf.sum(tf.mul(this.G.synthesis(x as tf.Tensor3D, { noiseSeed }), noise)))([ws]);
    const plLengths = tf.sqrt(tf.mean(tf.sum(tf.square(plGrads!), 2), 1));
    const old = tf.scalar(this.plMean);
    const plMean = tf.add(old, tf.mul(tf.sub(tf.mean(plLengths), old), s.pl_decay));
    this.plMean = plMean.dataSync()[0]!;                               // official pl_mean.copy_(pl_mean.detach())
    const penalty = tf.square(tf.sub(plLengths, plMean));
    const loss = tf.mul(penalty, s.pl_weight);
    rep.stat('Loss/pl_penalty', penalty);
    rep.stat('Loss/G/reg', loss);
    rep.term('Gpl', loss);
    return tf.mean(loss) as tf.Scalar;
  }

  /** Dgen: softplus(D(fake)) on G's update_emas fakes. */
  private dGen(genImg: tf.Tensor4D, inp: RoundInputs, rep: Reports, parts: tf.Scalar[]): { loss: tf.Tensor } {
    const logits = this.runD(genImg, inp.blurSigma);
    const loss = tf.softplus(logits);
    rep.stat('Loss/scores/fake', logits);
    rep.stat('Loss/signs/fake', tf.sign(logits));
    rep.term('Dgen', loss);
    parts.push(tf.mean(loss) as tf.Scalar);
    return { loss };
  }

  /**
   * Dreal and/or Dr1 on one real forward: softplus(-D(real)); R1 = sum over C,H,W of
   * (d sum(D(real)) / d real)^2 (second-order: its gradient w.r.t. D's weights), loss r1_gamma/2 * R1.
   */
  private dReal(inp: RoundInputs, withReal: boolean, withR1: boolean, dGen: tf.Tensor | null, rep: Reports): tf.Scalar {
    let logits: tf.Tensor2D;
    let r1Grads: tf.Tensor | null = null;
    if (withR1) {
      let inner: tf.Tensor2D | null = null;
      r1Grads = tf.grad((x: tf.Tensor) => { inner = rep.hold(this.runD(x as tf.Tensor4D, inp.blurSigma)); return tf.sum(inner); })(inp.realImg);
      logits = inner!;
    } else {
      logits = this.runD(inp.realImg, inp.blurSigma);
    }
    rep.stat('Loss/scores/real', logits);
    rep.stat('Loss/signs/real', tf.sign(logits));
    let total: tf.Tensor = tf.zeros([logits.shape[0]]);
    if (withReal) {
      const loss = tf.reshape(tf.softplus(tf.neg(logits)), [-1]);
      rep.stat('Loss/D/loss', dGen ? tf.add(tf.reshape(dGen, [-1]), loss) : loss);
      rep.term('Dreal', loss);
      total = tf.add(total, loss);
    }
    if (r1Grads) {
      const penalty = tf.sum(tf.square(r1Grads), [1, 2, 3]);
      const loss = tf.mul(penalty, this.settings.r1_gamma / 2);
      rep.stat('Loss/r1_penalty', penalty);
      rep.stat('Loss/D/reg', loss);
      rep.term('Dr1', loss);
      total = tf.add(total, loss);
    }
    return tf.mean(total) as tf.Scalar;
  }
}
