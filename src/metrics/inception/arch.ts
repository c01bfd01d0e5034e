/**
 * The FID Inception-v3 architecture as data: the TF 2015-12-05 graph that the official metrics run
 * (NVlabs' TorchScript `inception-2015-12-05.pkl`), in the layout of its PyTorch port
 * (pytorch-fid `fid_inception_v3`: torchvision's InceptionV3 with the FID patches):
 *  - the average pools inside the Mixed blocks do not count the zero padding (TF semantics,
 *    count_include_pad=False);
 *  - Mixed_7c's pool branch is a 3x3/1 *max* pool (a quirk of that graph), Mixed_7b's an average;
 *  - every conv is conv (no bias) + BatchNorm(eps 1e-3) + ReLU; our weight file holds the BN
 *    folded into the conv (`<name>.weight` OIHW, `<name>.bias`).
 * Names are the pytorch-fid state_dict names without the `.conv` / `.bn` suffix.
 */

export interface ConvLayer {
  kind: 'conv';
  name: string;
  out: number;
  kh: number;
  kw: number;
  stride: number;
  ph: number; // zero padding rows (top = bottom)
  pw: number; // zero padding columns (left = right)
}
export interface PoolLayer { kind: 'avg' | 'max'; size: 3; stride: 1 | 2; pad: 0 | 1 }
/** Several convs applied to the same input, outputs concatenated (the 1x3 / 3x1 pairs of InceptionE). */
export interface SplitLayer { kind: 'split'; parts: ConvLayer[] }
/** An Inception block: branches run on the same input, outputs concatenated along channels in order. */
export interface MixedLayer { kind: 'mixed'; name: string; branches: Layer[][] }
export type Layer = ConvLayer | PoolLayer | SplitLayer | MixedLayer;

export const INCEPTION_INPUT_SIZE = 299;
export const INCEPTION_FEATURES = 2048;

function conv(name: string, out: number, k: number | [number, number], stride = 1, pad: number | [number, number] = 0): ConvLayer {
  const [kh, kw] = typeof k === 'number' ? [k, k] : k;
  const [ph, pw] = typeof pad === 'number' ? [pad, pad] : pad;
  return { kind: 'conv', name, out, kh, kw, stride, ph, pw };
}
const avg3 = (): PoolLayer => ({ kind: 'avg', size: 3, stride: 1, pad: 1 });
const max3 = (stride: 1 | 2, pad: 0 | 1): PoolLayer => ({ kind: 'max', size: 3, stride, pad });

function inceptionA(name: string, poolFeatures: number): MixedLayer {
  const n = (s: string) => `${name}.${s}`;
  return { kind: 'mixed', name, branches: [
    [conv(n('branch1x1'), 64, 1)],
    [conv(n('branch5x5_1'), 48, 1), conv(n('branch5x5_2'), 64, 5, 1, 2)],
    [conv(n('branch3x3dbl_1'), 64, 1), conv(n('branch3x3dbl_2'), 96, 3, 1, 1), conv(n('branch3x3dbl_3'), 96, 3, 1, 1)],
    [avg3(), conv(n('branch_pool'), poolFeatures, 1)],
  ] };
}

function inceptionB(name: string): MixedLayer {
  const n = (s: string) => `${name}.${s}`;
  return { kind: 'mixed', name, branches: [
    [conv(n('branch3x3'), 384, 3, 2)],
    [conv(n('branch3x3dbl_1'), 64, 1), conv(n('branch3x3dbl_2'), 96, 3, 1, 1), conv(n('branch3x3dbl_3'), 96, 3, 2)],
    [max3(2, 0)],
  ] };
}

function inceptionC(name: string, c7: number): MixedLayer {
  const n = (s: string) => `${name}.${s}`;
  return { kind: 'mixed', name, branches: [
    [conv(n('branch1x1'), 192, 1)],
    [conv(n('branch7x7_1'), c7, 1), conv(n('branch7x7_2'), c7, [1, 7], 1, [0, 3]), conv(n('branch7x7_3'), 192, [7, 1], 1, [3, 0])],
    [
      conv(n('branch7x7dbl_1'), c7, 1), conv(n('branch7x7dbl_2'), c7, [7, 1], 1, [3, 0]), conv(n('branch7x7dbl_3'), c7, [1, 7], 1, [0, 3]),
      conv(n('branch7x7dbl_4'), c7, [7, 1], 1, [3, 0]), conv(n('branch7x7dbl_5'), 192, [1, 7], 1, [0, 3]),
    ],
    [avg3(), conv(n('branch_pool'), 192, 1)],
  ] };
}

function inceptionD(name: string): MixedLayer {
  const n = (s: string) => `${name}.${s}`;
  return { kind: 'mixed', name, branches: [
    [conv(n('branch3x3_1'), 192, 1), conv(n('branch3x3_2'), 320, 3, 2)],
    [
      conv(n('branch7x7x3_1'), 192, 1), conv(n('branch7x7x3_2'), 192, [1, 7], 1, [0, 3]),
      conv(n('branch7x7x3_3'), 192, [7, 1], 1, [3, 0]), conv(n('branch7x7x3_4'), 192, 3, 2),
    ],
    [max3(2, 0)],
  ] };
}

function inceptionE(name: string, pool: 'avg' | 'max'): MixedLayer {
  const n = (s: string) => `${name}.${s}`;
  const pair = (a: string, b: string): SplitLayer => ({ kind: 'split', parts: [conv(n(a), 384, [1, 3], 1, [0, 1]), conv(n(b), 384, [3, 1], 1, [1, 0])] });
  return { kind: 'mixed', name, branches: [
    [conv(n('branch1x1'), 320, 1)],
    [conv(n('branch3x3_1'), 384, 1), pair('branch3x3_2a', 'branch3x3_2b')],
    [conv(n('branch3x3dbl_1'), 448, 1), conv(n('branch3x3dbl_2'), 384, 3, 1, 1), pair('branch3x3dbl_3a', 'branch3x3dbl_3b')],
    [pool === 'avg' ? avg3() : max3(1, 1), conv(n('branch_pool'), 192, 1)],
  ] };
}

/** Input [N, 3, 299, 299] in [-1, 1] -> ... -> Mixed_7c [N, 2048, 8, 8]; pool3 is the spatial mean after it. */
export const INCEPTION_LAYERS: Layer[] = [
  conv('Conv2d_1a_3x3', 32, 3, 2),
  conv('Conv2d_2a_3x3', 32, 3),
  conv('Conv2d_2b_3x3', 64, 3, 1, 1),
  max3(2, 0),
  conv('Conv2d_3b_1x1', 80, 1),
  conv('Conv2d_4a_3x3', 192, 3),
  max3(2, 0),
  inceptionA('Mixed_5b', 32),
  inceptionA('Mixed_5c', 64),
  inceptionA('Mixed_5d', 64),
  inceptionB('Mixed_6a'),
  inceptionC('Mixed_6b', 128),
  inceptionC('Mixed_6c', 160),
  inceptionC('Mixed_6d', 160),
  inceptionC('Mixed_6e', 192),
  inceptionD('Mixed_7a'),
  inceptionE('Mixed_7b', 'avg'),
  inceptionE('Mixed_7c', 'max'),
];

/** One conv's weight shapes: `weight` [out, in, kh, kw] (OIHW) and `bias` [out]. */
export interface ConvWeightSpec { name: string; weight: [number, number, number, number]; bias: [number] }

export interface ShapePlan {
  convs: ConvWeightSpec[];
  /** [channels, height, width] after each top-level layer, named by conv/block name or `pool<i>`. */
  stages: { name: string; shape: [number, number, number] }[];
}

/** Walks the architecture tracking [C, H, W]: weight shapes for every conv and the output of every stage. */
export function planInception(inputSize = INCEPTION_INPUT_SIZE, layers: Layer[] = INCEPTION_LAYERS): ShapePlan {
  const convs: ConvWeightSpec[] = [];
  const stages: ShapePlan['stages'] = [];
  let shape: [number, number, number] = [3, inputSize, inputSize];
  layers.forEach((layer, i) => {
    shape = walk(layer, shape, convs);
    stages.push({ name: layer.kind === 'conv' || layer.kind === 'mixed' ? layer.name : `pool${i}`, shape });
  });
  return { convs, stages };
}

function walk(layer: Layer, [c, h, w]: [number, number, number], convs: ConvWeightSpec[]): [number, number, number] {
  const out = (size: number, k: number, stride: number, pad: number) => Math.floor((size + 2 * pad - k) / stride) + 1;
  switch (layer.kind) {
    case 'conv':
      convs.push({ name: layer.name, weight: [layer.out, c, layer.kh, layer.kw], bias: [layer.out] });
      return [layer.out, out(h, layer.kh, layer.stride, layer.ph), out(w, layer.kw, layer.stride, layer.pw)];
    case 'avg':
    case 'max':
      return [c, out(h, layer.size, layer.stride, layer.pad), out(w, layer.size, layer.stride, layer.pad)];
    case 'split': {
      const outs = layer.parts.map((p) => walk(p, [c, h, w], convs));
      return [outs.reduce((s, o) => s + o[0], 0), outs[0][1], outs[0][2]];
    }
    case 'mixed': {
      const outs = layer.branches.map((branch) => branch.reduce((s, l) => walk(l, s, convs), [c, h, w] as [number, number, number]));
      return [outs.reduce((s, o) => s + o[0], 0), outs[0][1], outs[0][2]];
    }
  }
}
