/**
 * Human-readable rendering of a Plan for `sg3 plan`: the layer schedule (the paper's Figure 4c in
 * numbers), the discriminator, and the parameter / FLOP counts. Pure string building.
 */
import type { Plan } from './types.ts';

function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)];
}

/** Short fixed-precision number: integers as is, others with 3 decimals. */
function num(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toFixed(3);
}

/** 1234567 -> 1.23M, for parameter and FLOP counts. */
export function humanCount(x: number): string {
  const units: [number, string][] = [[1e12, 'T'], [1e9, 'G'], [1e6, 'M'], [1e3, 'k']];
  for (const [v, u] of units) if (x >= v) return `${(x / v).toFixed(2)}${u}`;
  return String(x);
}

function synthesisLines(plan: Plan): string[] {
  const s = plan.synthesis;
  const inp = s.input;
  const head = [
    `Synthesis (${s.schedule_kind} schedule, ${s.num_layers} layers + ToRGB, ${s.num_critical} critical, num_ws ${s.num_ws}, margin ${s.margin_size})`,
    `  input: ${inp.kind} ${inp.size[0]}x${inp.size[1]}x${inp.channels}, s=${num(inp.sampling_rate)}, bandwidth=${num(inp.bandwidth)}, transform ${inp.transform}`,
  ];
  const rows = s.layers.map((l) => {
    const flags = [
      l.is_critically_sampled ? 'crit' : '',
      l.is_filtered ? 'filt' : '',
      l.down_radial ? 'radial' : '',
      l.up_before_conv ? 'up-first' : '',
      l.use_noise ? 'noise' : '',
      l.skip_torgb ? 'skip-rgb' : '',
    ].filter(Boolean).join(',');
    return [
      l.name,
      `${l.in_size[0]}->${l.out_size[0]}`,
      `${num(l.in_sampling_rate)}->${num(l.out_sampling_rate)}`,
      num(l.tmp_sampling_rate),
      `${num(l.in_cutoff)}->${num(l.out_cutoff)}`,
      num(l.out_stopband),
      num(l.out_half_width),
      `${l.in_channels}->${l.out_channels}`,
      `${l.up_factor}/${l.down_factor}`,
      `${l.up_taps}/${l.down_taps}`,
      `[${l.padding.join(',')}]`,
      flags,
    ];
  });
  const header = ['layer', 'size', 's', 's_tmp', 'f_c', 'f_t', 'f_h', 'channels', 'up/dn', 'taps', 'padding', 'flags'];
  return [...head, ...table(header, rows).map((r) => `  ${r}`)];
}

function discriminatorLines(plan: Plan): string[] {
  const d = plan.discriminator;
  const rows = d.blocks.map((b) => [b.name, `${b.resolution}`, `${b.tmp_channels}->${b.out_channels}`, b.layers.map((l) => l.name.split('.')[1]).join(' ')]);
  const e = d.epilogue;
  const mb = e.mbstd ? `mbstd(group ${e.mbstd.group_size}, ${e.mbstd.num_channels}ch)` : '';
  rows.push([e.name, '4', `${e.in_channels}->1`, [e.fromrgb ? 'fromrgb' : '', mb, 'conv fc out'].filter(Boolean).join(' ')]);
  return [`Discriminator (${d.architecture})`, ...table(['block', 'res', 'channels', 'layers'], rows).map((r) => `  ${r}`)];
}

function costLines(plan: Plan): string[] {
  const c = plan.cost;
  const t = plan.training;
  const rows = [
    ['G mapping', humanCount(c.params.g_mapping), humanCount(c.flops_per_image.g_mapping)],
    ['G synthesis', humanCount(c.params.g_synthesis), humanCount(c.flops_per_image.g_synthesis)],
    ['G total', humanCount(c.params.g_total), humanCount(c.flops_per_image.g_total)],
    ['D', humanCount(c.params.d), humanCount(c.flops_per_image.d)],
  ];
  const phases = t.phases.map((p) => `${p.name}/${p.interval}`).join(' ');
  return [
    'Cost (trainable parameters; forward FLOPs per image)',
    ...table(['network', 'params', 'FLOPs'], rows).map((r) => `  ${r}`),
    `Training: batch ${t.batch} (${t.accumulation_rounds} x ${t.batch_per_step}), phases ${phases}, ` +
      `G lr ${t.adam.G.lr.toPrecision(4)}, D lr ${t.adam.D.lr.toPrecision(4)}, ema ${num(t.ema_kimg)} kimg, mbstd group ${t.mbstd_group_size}, ` +
      `snapshot grid ${t.grid_w}x${t.grid_h}`,
  ];
}

/** The readable report `sg3 plan` prints. */
export function formatPlan(plan: Plan): string {
  const lines = [
    `${plan.name}: ${plan.img_resolution}x${plan.img_resolution}x${plan.img_channels}`,
    '',
    ...synthesisLines(plan),
    '',
    ...discriminatorLines(plan),
    '',
    ...costLines(plan),
  ];
  return `${lines.join('\n')}\n`;
}
