/**
 * The state of one network (G or D) under its official state_dict names, in the official order:
 *   - `param`:  trainable tensors (tf.Variable, trainable) — what an optimiser updates;
 *   - `buffer`: persistent non-trainable state the forward pass reads and may update
 *               (magnitude_ema, w_avg, freqs, phases, transform, noise_const);
 *   - `filter`: the FIR buffers of the official modules (up_filter, down_filter, resample_filter).
 *               They are derived numbers: the forward pass uses the Plan's taps, the state keeps
 *               them only so that a saved file has every official key; loading checks them.
 * Shapes are the official ones (OIHW conv weights, [out, in] FC weights, [] scalars).
 */
import { tf } from '../backend/tf.ts';
import { RunError } from '../errors.ts';
import type { NamedTensor } from '../io/safetensors.ts';

export type EntryKind = 'param' | 'buffer' | 'filter';

/** One state_dict entry before it exists: name, kind, official shape and its initial values. */
export interface EntrySpec {
  name: string;
  kind: EntryKind;
  shape: number[];
  init: () => Float32Array;
}

export interface StateEntry {
  name: string;
  kind: EntryKind;
  shape: number[];
  variable: tf.Variable;        // filters are variables too (never trainable), for one code path
}

/** Largest |a - b| a stored filter may differ from the Plan's taps (float32 rounding of the design). */
const FILTER_TOL = 1e-6;

function numel(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

export class NetState {
  private readonly byName = new Map<string, StateEntry>();

  /** Creates every variable from its spec, in order (the order saving writes). */
  constructor(specs: EntrySpec[], readonly where: string) {
    for (const s of specs) {
      if (this.byName.has(s.name)) throw new Error(`${where}: duplicate state entry ${s.name}`);
      const values = s.init();
      if (values.length !== numel(s.shape)) throw new Error(`${where}: ${s.name}: init gave ${values.length} values for shape [${s.shape}]`);
      const initial = tf.tensor(values, s.shape, 'float32');
      const variable = tf.variable(initial, s.kind === 'param');
      initial.dispose(); // the variable holds its own reference to the data
      this.byName.set(s.name, { name: s.name, kind: s.kind, shape: s.shape, variable });
    }
  }

  entries(): StateEntry[] {
    return [...this.byName.values()];
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  /** The variable of `name` (any kind); a missing name is a bug in nets/, not a user error. */
  get(name: string): tf.Variable {
    const e = this.byName.get(name);
    if (!e) throw new Error(`${this.where}: no state entry ${name}`);
    return e.variable;
  }

  /** Trainable variables in official `named_parameters()` order (what tf.variableGrads takes). */
  trainableVariables(): tf.Variable[] {
    return this.entries().filter((e) => e.kind === 'param').map((e) => e.variable);
  }

  namedTrainable(): [string, tf.Variable][] {
    return this.entries().filter((e) => e.kind === 'param').map((e) => [e.name, e.variable]);
  }

  /** Copies of the buffers (magnitude_ema, w_avg, ...) a forward with updateEmas may change. */
  snapshotBuffers(): Map<string, tf.Tensor> {
    return new Map(this.entries().filter((e) => e.kind === 'buffer').map((e) => [e.name, tf.clone(e.variable)]));
  }

  /** Restores a snapshot (the snapshot's tensors stay owned by the caller). */
  restoreBuffers(snapshot: Map<string, tf.Tensor>): void {
    for (const [name, t] of snapshot) this.get(name).assign(t);
  }

  /** this <- other for every entry (G -> G_ema at the start of training). Same plan required. */
  copyFrom(other: NetState): void {
    this.assertSameLayout(other, 'copyFrom');
    for (const e of this.entries()) e.variable.assign(other.get(e.name));
  }

  /**
   * EMA of the parameters as the official training loop: p_ema <- p + beta * (p_ema - p)
   * (torch `p.lerp(p_ema, beta)`); buffers are copied (`b_ema.copy_(b)`).
   */
  lerpFrom(other: NetState, beta: number): void {
    this.assertSameLayout(other, 'lerpFrom');
    tf.tidy(() => {
      for (const e of this.entries()) {
        const src = other.get(e.name);
        if (e.kind === 'param') e.variable.assign(tf.add(src, tf.mul(tf.sub(e.variable, src), beta)));
        else if (e.kind === 'buffer') e.variable.assign(src);
      }
    });
  }

  private assertSameLayout(other: NetState, op: string): void {
    const a = this.entries().map((e) => `${e.name}[${e.shape}]`).join();
    const b = other.entries().map((e) => `${e.name}[${e.shape}]`).join();
    if (a !== b) throw new Error(`${this.where}.${op}: the two networks have different state layouts`);
  }

  /** Every entry as an F32 safetensors tensor, in order, each name prefixed with `prefix`. */
  toNamedTensors(prefix = ''): Map<string, NamedTensor> {
    return new Map(this.entries().map((e) => [
      `${prefix}${e.name}`,
      { dtype: 'F32' as const, shape: e.shape, data: e.variable.dataSync() as Float32Array },
    ]));
  }

  /**
   * Loads every entry from `tensors` (names prefixed with `prefix`). All problems are collected
   * first and reported in ONE RunError: missing keys, unexpected keys (when `strict`), wrong
   * shapes or dtypes, and filter buffers that differ from the Plan's taps. Nothing is assigned
   * unless everything checks out.
   */
  load(tensors: Map<string, NamedTensor>, where: string, prefix = '', strict = true): void {
    const problems: string[] = [];
    const assigns: [StateEntry, Float32Array][] = [];
    for (const e of this.entries()) {
      const t = tensors.get(prefix + e.name);
      if (!t) { problems.push(`missing ${prefix}${e.name} [${e.shape}]`); continue; }
      if (t.dtype !== 'F32') { problems.push(`${prefix}${e.name}: dtype ${t.dtype}, expected F32`); continue; }
      if (t.shape.join() !== e.shape.join()) { problems.push(`${prefix}${e.name}: shape [${t.shape}], expected [${e.shape}]`); continue; }
      const data = t.data as Float32Array;
      if (e.kind === 'filter') {
        const mine = e.variable.dataSync();
        let diff = 0;
        for (let i = 0; i < mine.length; i++) diff = Math.max(diff, Math.abs(mine[i]! - data[i]!));
        if (!(diff <= FILTER_TOL)) problems.push(`${prefix}${e.name}: filter taps differ from the plan's (max abs diff ${diff.toExponential(2)})`);
        continue;
      }
      assigns.push([e, data]);
    }
    if (strict) {
      for (const key of tensors.keys()) {
        if (!key.startsWith(prefix)) continue;
        if (!this.byName.has(key.slice(prefix.length))) problems.push(`unexpected ${key} [${tensors.get(key)!.shape}]`);
      }
    }
    if (problems.length > 0) {
      throw new RunError(`${where}: weights do not match the ${this.where} of this config (${problems.length} problems): ${problems.join('; ')}`);
    }
    tf.tidy(() => { for (const [e, data] of assigns) e.variable.assign(tf.tensor(data, e.shape, 'float32')); });
  }

  dispose(): void {
    for (const e of this.entries()) e.variable.dispose();
    this.byName.clear();
  }
}
