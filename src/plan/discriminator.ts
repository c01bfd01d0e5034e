/**
 * Discriminator plan: the StyleGAN2 discriminator (networks_stylegan2.Discriminator) that StyleGAN3
 * trains against, with the official block and layer names. Channels per resolution:
 * min(channel_base // res, channel_max). Resampling uses setup_filter([1,3,3,1]).
 */
import type { ResolvedConfig } from '../config/types.ts';
import { bilinearTaps } from './filters.ts';
import { planFullyConnected } from './synthesis.ts';
import type { DBlockPlan, DConvPlan, DEpiloguePlan, DiscriminatorPlan } from './types.ts';

interface ConvArgs {
  name: string;
  inChannels: number;
  outChannels: number;
  kernel: number;
  size: number;                 // input resolution (square)
  bias?: boolean;
  activation?: 'lrelu' | 'linear';
  down?: number;
  gain?: number;                // block gain (sqrt(0.5) for resnet conv1/skip)
  clamp: number | null;         // conv_clamp before the gain, null = none
}

/**
 * One official Conv2dLayer:
 * 1. weight gain 1/sqrt(in k^2); act gain = def_gain (sqrt2 for lrelu, 1 linear) * gain; clamp * gain.
 * 2. down 2 (conv2d_resample): pad by k//2 + [(fw-down+1)//2, (fw-down)//2] per axis, filter with [1,3,3,1],
 *    then a stride-2 'valid' conv (3x3) or keep every 2nd sample and a 1x1 conv; else padding k//2.
 */
function planConv(a: ConvArgs): DConvPlan {
  const down = a.down ?? 1;
  const gain = a.gain ?? 1;
  const activation = a.activation ?? 'lrelu';
  const f = down > 1 ? bilinearTaps(2)! : null;
  const p = Math.floor(a.kernel / 2);
  const lo = f ? p + Math.floor((f.length - down + 1) / 2) : 0;
  const hi = f ? p + Math.floor((f.length - down) / 2) : 0;
  return {
    name: a.name,
    in_channels: a.inChannels,
    out_channels: a.outChannels,
    kernel: a.kernel,
    bias: a.bias ?? true,
    activation,
    weight_gain: 1 / Math.sqrt(a.inChannels * a.kernel * a.kernel),
    act_gain: (activation === 'lrelu' ? Math.SQRT2 : 1) * gain,
    conv_clamp: a.clamp === null ? null : a.clamp * gain,
    down,
    resample_filter: f,
    resample_padding: f ? [lo, hi, lo, hi] : null,
    conv_padding: f ? 0 : p,
    in_size: a.size,
    out_size: a.size / down,
  };
}

/** min(channel_base // res, channel_max) for res = img_resolution .. 4. */
export function discriminatorChannels(cfg: ResolvedConfig): Record<string, number> {
  const { base, max } = cfg.discriminator.channels;
  const out: Record<string, number> = {};
  for (let r = cfg.data.resolution; r >= 4; r /= 2) out[String(r)] = Math.min(Math.floor(base / r), max);
  return out;
}

/**
 * Plans D:
 * 1. blocks bRES for RES = img_resolution .. 8: fromrgb (first block, or every block for 'skip'),
 *    conv0 (tmp -> tmp, 3x3), conv1 (tmp -> out, 3x3, down 2), skip (resnet: 1x1, no bias, down 2).
 * 2. epilogue b4: fromrgb ('skip' only), minibatch stddev, conv (C + mbstd -> C), fc (C*16 -> C), out (C -> 1).
 */
export function planDiscriminator(cfg: ResolvedConfig): DiscriminatorPlan {
  const d = cfg.discriminator;
  const res = cfg.data.resolution;
  const imgCh = cfg.data.channels;
  const ch = discriminatorChannels(cfg);
  const clamp = d.conv_clamp;
  const blocks: DBlockPlan[] = [];
  for (let r = res; r >= 8; r /= 2) {
    const tmp = ch[String(r)]!;
    const out = ch[String(r / 2)]!;
    const inCh = r < res ? tmp : 0;
    const name = `b${r}`;
    const layers: DConvPlan[] = [];
    if (inCh === 0 || d.architecture === 'skip') {
      layers.push(planConv({ name: `${name}.fromrgb`, inChannels: imgCh, outChannels: tmp, kernel: 1, size: r, clamp }));
    }
    const blockGain = d.architecture === 'resnet' ? Math.sqrt(0.5) : 1;
    layers.push(planConv({ name: `${name}.conv0`, inChannels: tmp, outChannels: tmp, kernel: 3, size: r, clamp }));
    layers.push(planConv({ name: `${name}.conv1`, inChannels: tmp, outChannels: out, kernel: 3, size: r, down: 2, gain: blockGain, clamp }));
    if (d.architecture === 'resnet') {
      layers.push(planConv({ name: `${name}.skip`, inChannels: tmp, outChannels: out, kernel: 1, size: r, down: 2, gain: blockGain, bias: false, activation: 'linear', clamp: null }));
    }
    blocks.push({ name, resolution: r, in_channels: inCh, tmp_channels: tmp, out_channels: out, layers });
  }
  const c4 = ch['4']!;
  const mb = d.mbstd_channels;
  const epilogue: DEpiloguePlan = {
    name: 'b4',
    resolution: 4,
    in_channels: c4,
    // The official epilogue fromrgb is built without conv_clamp.
    fromrgb: d.architecture === 'skip' ? planConv({ name: 'b4.fromrgb', inChannels: imgCh, outChannels: c4, kernel: 1, size: 4, clamp: null }) : null,
    mbstd: mb > 0 ? { group_size: d.mbstd_group_size, num_channels: mb } : null,
    conv: planConv({ name: 'b4.conv', inChannels: c4 + mb, outChannels: c4, kernel: 3, size: 4, clamp }),
    fc: planFullyConnected('b4.fc', c4 * 16, c4, 'lrelu'),
    out: planFullyConnected('b4.out', c4, 1, 'linear'),
  };
  return { architecture: d.architecture, img_resolution: res, img_channels: imgCh, channels: ch, blocks, epilogue };
}
