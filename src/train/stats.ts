/**
 * What the official torch_utils.training_stats does for one process: values reported under a name
 * during a tick are averaged at the tick's end (TensorBoard scalars, the progress line); and the
 * ADA statistic, the mean of `Loss/signs/real` over the steps since the last p adjustment, kept as
 * a running sum and count so that a checkpoint between two adjustments resumes it exactly.
 */

/** Per-name sums since the last `drain()`. */
export class TickStats {
  private readonly sums = new Map<string, { sum: number; count: number }>();

  report(name: string, values: ArrayLike<number>): void {
    const e = this.sums.get(name) ?? { sum: 0, count: 0 };
    for (let i = 0; i < values.length; i++) e.sum += values[i]!;
    e.count += values.length;
    this.sums.set(name, e);
  }

  reportAll(stats: Map<string, ArrayLike<number>>): void {
    for (const [name, v] of stats) this.report(name, v);
  }

  /** Means of everything reported since the last drain (names in first-report order), then resets. */
  drain(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [name, { sum, count }] of this.sums) if (count > 0) out[name] = sum / count;
    this.sums.clear();
    return out;
  }
}

/** The ADA collector: E[sign(D(real))] over every real logit D saw since the last adjustment. */
export interface AdaSignsState {
  sum: number;
  count: number;
}

export class AdaSigns {
  sum = 0;
  count = 0;

  add(signs: ArrayLike<number>): void {
    for (let i = 0; i < signs.length; i++) this.sum += signs[i]!;
    this.count += signs.length;
  }

  /**
   * r_t and a reset; null when D saw no reals since the last adjustment (the official collector
   * would yield NaN and poison p; the caller leaves p unchanged instead).
   */
  take(): number | null {
    const rt = this.count > 0 ? this.sum / this.count : null;
    this.sum = 0;
    this.count = 0;
    return rt;
  }

  state(): AdaSignsState {
    return { sum: this.sum, count: this.count };
  }

  restore(s: AdaSignsState): void {
    this.sum = s.sum;
    this.count = s.count;
  }
}
