/**
 * Comparison of a planned synthesis network with one case of the official schedule goldens
 * (schedules_sg3_*.json): integers exactly, float-valued fields to 1e-12 relative.
 */
import type { ExecutionContext } from 'ava';
import type { SynthesisPlan } from '../../src/plan/types.ts';

export interface GoldenCase {
  config: 'T' | 'R';
  img_resolution: number;
  w_dim: number;
  num_ws: number;
  input: { channels: number; size: [number, number]; sampling_rate: number; bandwidth: number };
  network_arrays: Record<string, number[]>;
  layers: Record<string, unknown>[];
}

// Golden fields we do not carry (fp16 is not a tfjs concept; the *_min stopbands are the geometric
// progression, checked through network_arrays) or carry under another form (filter shapes).
const NOT_CARRIED = new Set(['use_fp16', 'in_stopband_min', 'out_stopband_min', 'up_filter_shape', 'down_filter_shape']);

// Float-valued fields (compared to 1e-12 relative even when the value is integral: numpy's vectorised
// pow and V8's Math.pow may round 2 * 8^(2/3) to different neighbours of 8); all others exactly.
const FLOAT_FIELDS = /(_sampling_rate|_cutoff|_half_width|_stopband|lrelu_gain|lrelu_slope|magnitude_ema_beta)$/;

export function closeRel(a: number, b: number): boolean {
  return a === b || Math.abs(a - b) <= 1e-12 * Math.max(Math.abs(a), Math.abs(b));
}

function shapeOf(taps: unknown): number[] | null {
  if (taps === null) return null;
  const arr = taps as unknown[];
  return Array.isArray(arr[0]) ? [arr.length, (arr[0] as unknown[]).length] : [arr.length];
}

export function compareWithGolden(t: ExecutionContext, syn: SynthesisPlan, c: GoldenCase): void {
  t.true(c.layers.length > 0);
  t.is(syn.num_ws, c.num_ws);
  t.is(syn.layers.length, c.layers.length);
  t.deepEqual(syn.input.size, c.input.size);
  t.is(syn.input.channels, c.input.channels);
  t.true(closeRel(syn.input.sampling_rate, c.input.sampling_rate));
  t.true(closeRel(syn.input.bandwidth, c.input.bandwidth));
  for (const g of c.layers) {
    const mine = syn.layers[g.idx as number] as unknown as Record<string, unknown>;
    for (const [key, want] of Object.entries(g)) {
      if (NOT_CARRIED.has(key)) continue;
      t.true(key in mine, `${g.name}: missing field ${key}`);
      const got = mine[key];
      if (typeof want === 'number' && FLOAT_FIELDS.test(key)) t.true(closeRel(got as number, want), `${g.name}.${key}: ${got} vs ${want}`);
      else t.deepEqual(got, want, `${g.name}.${key}`);
    }
    t.deepEqual(shapeOf(mine.up_filter), g.up_filter_shape, `${g.name}.up_filter shape`);
    t.deepEqual(shapeOf(mine.down_filter), g.down_filter_shape, `${g.name}.down_filter shape`);
  }
}
