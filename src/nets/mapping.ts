/**
 * The mapping network z -> ws (official MappingNetwork, StyleGAN2 and StyleGAN3 alike; paper
 * Sec. 3.1 shortens it to 2 layers from config D on).
 */
import { tf } from '../backend/tf.ts';
import { RunError } from '../errors.ts';
import type { MappingPlan } from '../plan/types.ts';
import { fullyConnected } from './primitives.ts';
import type { NetState } from './state.ts';

export interface MappingOptions {
  truncationPsi?: number;       // 1 = none; w_avg + psi (w - w_avg)
  truncationCutoff?: number | null; // rows to truncate; null = all num_ws rows (official default)
  updateEmas?: boolean;         // track w_avg (training)
}

export class MappingNetwork {
  private readonly fcs: { weight: tf.Variable; bias: tf.Variable | null }[];
  readonly wAvg: tf.Variable;

  constructor(readonly plan: MappingPlan, state: NetState) {
    this.fcs = plan.layers.map((fc) => ({
      weight: state.get(`mapping.${fc.name}.weight`),
      bias: fc.bias ? state.get(`mapping.${fc.name}.bias`) : null,
    }));
    this.wAvg = state.get('mapping.w_avg');
  }

  /**
   * z [N, z_dim] -> ws [N, num_ws, w_dim]:
   * 1. x = z * rsqrt(mean(z^2 over features) + 1e-8);
   * 2. fc0..fc{L-1}: lrelu(x @ (W lr/sqrt(in))^T + b lr) * sqrt(2);
   * 3. [updateEmas] w_avg <- mean_batch(x) + beta (w_avg - mean_batch(x));
   * 4. broadcast to num_ws rows; truncation w_avg + psi (x - w_avg) on rows < cutoff.
   */
  forward(z: tf.Tensor2D, c: tf.Tensor | null = null, opts: MappingOptions = {}): tf.Tensor3D {
    const p = this.plan;
    if (z.rank !== 2 || z.shape[1] !== p.z_dim) throw new RunError(`mapping: z must be [N, ${p.z_dim}] (got [${z.shape}])`);
    if (c != null && p.c_dim === 0 && c.size > 0) throw new RunError(`mapping: this generator is unconditional (c_dim 0) (got c of shape [${c.shape}])`);
    return tf.tidy(() => {
      let x: tf.Tensor2D = tf.mul(z, tf.rsqrt(tf.add(tf.mean(tf.square(z), 1, true), 1e-8)));
      p.layers.forEach((fc, i) => { x = fullyConnected(x, this.fcs[i]!.weight, this.fcs[i]!.bias, fc); });
      if (opts.updateEmas) {
        const mean = tf.mean(x, 0);
        this.wAvg.assign(tf.add(mean, tf.mul(tf.sub(this.wAvg, mean), p.w_avg_beta)));
      }
      const n = x.shape[0];
      // ws[:, i] = x for every i, as a broadcasting add: wasm's Tile runs element by element
      // (2 ms for [4, 16, 512], the add 0.04 ms; its gradient is a Sum instead of Tile's slices).
      let ws = tf.add(tf.reshape(x, [n, 1, p.w_dim]), tf.zeros([1, p.num_ws, 1])) as tf.Tensor3D;
      const psi = opts.truncationPsi ?? 1;
      if (psi !== 1) {
        const cutoff = Math.min(opts.truncationCutoff ?? p.num_ws, p.num_ws);
        const avg = tf.reshape(this.wAvg, [1, 1, p.w_dim]);
        const truncated = tf.add(avg, tf.mul(tf.sub(ws, avg), psi)) as tf.Tensor3D;
        ws = cutoff >= p.num_ws ? truncated
          : tf.concat([tf.slice(truncated, [0, 0, 0], [n, cutoff, p.w_dim]), tf.slice(ws, [0, cutoff, 0], [n, p.num_ws - cutoff, p.w_dim])], 1);
      }
      return ws;
    });
  }
}
