/**
 * Adam exactly as torch.optim.Adam (no weight decay, no amsgrad), which the official training loop
 * uses for G and D, written here so that its moments are ours to checkpoint bit for bit.
 *
 * Per parameter p with gradient g, at its own step t (torch keeps one step counter per parameter;
 * a parameter without a gradient in a phase is skipped, counter and moments untouched):
 *   m <- beta1 m + (1 - beta1) g                 (exp_avg)
 *   v <- beta2 v + (1 - beta2) g^2               (exp_avg_sq)
 *   p <- p - lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
 * Before the step the official loop replaces NaN by 0 and +-Inf by +-1e5 in every gradient
 * (misc.nan_to_num); `sanitizeGradient` does that.
 *
 * Checkpoint layout (src/train/run/checkpoint.ts): tensors `<prefix><param>.exp_avg` and
 * `<prefix><param>.exp_avg_sq` (prefix `opt.G.` / `opt.D.`), step counters in the JSON state.
 */
import { tf } from '../backend/tf.ts';
import { RunError } from '../errors.ts';
import { nativeAdamStep } from '../backend/native/index.ts';
import type { NamedTensor } from '../io/safetensors.ts';
import type { AdamPlan } from '../plan/types.ts';

/** The JSON half of an optimizer's state: torch's per-parameter `step`. */
export interface AdamState {
  steps: Record<string, number>;
}

interface Slot {
  name: string;
  param: tf.Variable;
  m: tf.Variable;       // exp_avg, same shape as the parameter
  v: tf.Variable;       // exp_avg_sq
  step: number;
}

/** nan -> 0, +inf -> 1e5, -inf -> -1e5; finite values unchanged (torch.nan_to_num as the official loop calls it). */
export function sanitizeGradient(g: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const isNan = tf.notEqual(g, g);                         // NaN is the only value unequal to itself
    const isInf = tf.equal(tf.abs(g), Infinity);
    const clean = tf.where(isNan, tf.zerosLike(g), g);
    return tf.where(isInf, tf.mul(tf.sign(clean), 1e5), clean);
  });
}

/**
 * Whether every gradient is certainly finite: each one's sum is finite (a NaN or an infinity makes
 * its sum non-finite). A sum that overflows only sends the step down the sanitising path, whose
 * result is the same. One read-back instead of six element-wise ops per parameter.
 */
function allFinite(grads: tf.Tensor[]): boolean {
  if (grads.length === 0) return true;
  const total = tf.tidy(() => tf.addN(grads.map((g) => tf.sum(g))));
  const value = total.dataSync()[0]!;
  total.dispose();
  return Number.isFinite(value);
}

export class Adam {
  private readonly slots = new Map<string, Slot>();

  /** `params`: [official name, variable] in named_parameters() order; moments start at zero. */
  constructor(params: [string, tf.Variable][], readonly hp: AdamPlan, readonly where: string) {
    const zeros = (p: tf.Variable) => tf.tidy(() => tf.variable(tf.zerosLike(p), false));   // tidy frees the zerosLike
    for (const [name, param] of params) this.slots.set(name, { name, param, m: zeros(param), v: zeros(param), step: 0 });
  }

  /**
   * One optimizer step over the parameters that have a gradient in `grads` (keyed by official
   * name); the gradients are sanitised first and stay owned by the caller.
   */
  step(grads: Map<string, tf.Tensor>): void {
    const [b1, b2] = this.hp.betas;
    const { lr, eps } = this.hp;
    const finite = allFinite([...grads.values()]);
    for (const [name, grad] of grads) {
      const s = this.slots.get(name);
      if (!s) throw new Error(`${this.where}: gradient for unknown parameter ${name}`);
      s.step += 1;
      const bc1 = 1 - Math.pow(b1, s.step);
      const bc2Sqrt = Math.sqrt(1 - Math.pow(b2, s.step));
      tf.tidy(() => {
        const g = finite ? grad : sanitizeGradient(grad);
        const fused = nativeAdamStep(s.param, g, s.m, s.v, [b1, 1 - b1, b2, 1 - b2, bc2Sqrt, eps, lr / bc1]);
        if (fused) {  // the same float32 operations in one kernel (backend/native/adam.ts)
          s.param.assign(fused[0]);
          s.m.assign(fused[1]);
          s.v.assign(fused[2]);
          return;
        }
        const m = tf.add(tf.mul(s.m, b1), tf.mul(g, 1 - b1));
        const v = tf.add(tf.mul(s.v, b2), tf.mul(tf.square(g), 1 - b2));
        const denom = tf.add(tf.div(tf.sqrt(v), bc2Sqrt), eps);
        s.param.assign(tf.sub(s.param, tf.mul(tf.div(m, denom), lr / bc1)));
        s.m.assign(m);
        s.v.assign(v);
      });
    }
  }

  state(): AdamState {
    return { steps: Object.fromEntries([...this.slots.values()].map((s) => [s.name, s.step])) };
  }

  /** The moments as F32 tensors named `<prefix><param>.exp_avg` / `.exp_avg_sq`. */
  toNamedTensors(prefix: string): Map<string, NamedTensor> {
    const out = new Map<string, NamedTensor>();
    for (const s of this.slots.values()) {
      out.set(`${prefix}${s.name}.exp_avg`, { dtype: 'F32', shape: s.m.shape, data: s.m.dataSync() as Float32Array });
      out.set(`${prefix}${s.name}.exp_avg_sq`, { dtype: 'F32', shape: s.v.shape, data: s.v.dataSync() as Float32Array });
    }
    return out;
  }

  /** Restores moments and step counters written by toNamedTensors/state; every problem in one RunError. */
  load(tensors: Map<string, NamedTensor>, prefix: string, state: AdamState): void {
    const problems: string[] = [];
    for (const s of this.slots.values()) {
      for (const key of [`${prefix}${s.name}.exp_avg`, `${prefix}${s.name}.exp_avg_sq`]) {
        const t = tensors.get(key);
        if (!t) problems.push(`missing ${key}`);
        else if (t.shape.join() !== s.param.shape.join()) problems.push(`${key}: shape [${t.shape}], expected [${s.param.shape}]`);
      }
      const step = state?.steps?.[s.name];
      if (!Number.isInteger(step) || step! < 0) problems.push(`state steps.${s.name}: expected an integer >= 0 (got ${String(step)})`);
    }
    if (problems.length > 0) throw new RunError(`${this.where}: optimizer state does not match (${problems.length} problems): ${problems.slice(0, 8).join('; ')}`);
    tf.tidy(() => {
      for (const s of this.slots.values()) {
        s.m.assign(tf.tensor(tensors.get(`${prefix}${s.name}.exp_avg`)!.data as Float32Array, s.param.shape, 'float32'));
        s.v.assign(tf.tensor(tensors.get(`${prefix}${s.name}.exp_avg_sq`)!.data as Float32Array, s.param.shape, 'float32'));
        s.step = state.steps[s.name]!;
      }
    });
  }

  /** The moment variables (for snapshots of the whole trainer state). */
  variables(): [string, tf.Variable][] {
    return [...this.slots.values()].flatMap((s) => [[`${s.name}.exp_avg`, s.m], [`${s.name}.exp_avg_sq`, s.v]] as [string, tf.Variable][]);
  }

  dispose(): void {
    for (const s of this.slots.values()) { s.m.dispose(); s.v.dispose(); }
    this.slots.clear();
  }
}
