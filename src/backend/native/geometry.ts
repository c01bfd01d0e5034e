/**
 * Pure shape planning for the native kernels (tfjs style: `computeConv2DInfo` apart from the
 * number crunching). Each tfjs kernel's inputs and attrs become one forward-direction ConvGeom
 * (NHWC tensors, HWIO filters), with exactly tfjs's semantics for pad ('same' | 'valid' | number |
 * explicit), dimRoundingMode, strides and dilations, because tfjs's own planner computes it.
 * `null` means "not for us": the registered kernel then runs the original wasm kernel, which
 * also produces tfjs's own error for invalid input.
 */
import { tf } from '../tf.ts';
import type { ConvGeom } from './addon.ts';

export const NATIVE_KERNEL_NAMES = [
  'Conv2D',
  'Conv2DBackpropInput',
  'Conv2DBackpropFilter',
  'DepthwiseConv2dNative',
  'DepthwiseConv2dNativeBackpropInput',
  'DepthwiseConv2dNativeBackpropFilter',
  'FusedConv2D',
] as const;
export type NativeKernelName = (typeof NATIVE_KERNEL_NAMES)[number];

type Shape4 = [number, number, number, number];
type Attrs = Record<string, unknown>;

export interface NativePlan {
  geom: ConvGeom;
  inputs: [string, string];  // the kernel's input names, in the addon's argument order
  outShape: number[];
}

const INPUTS: Record<NativeKernelName, [string, string]> = {
  Conv2D: ['x', 'filter'],
  Conv2DBackpropInput: ['dy', 'filter'],
  Conv2DBackpropFilter: ['x', 'dy'],
  DepthwiseConv2dNative: ['x', 'filter'],
  DepthwiseConv2dNativeBackpropInput: ['dy', 'filter'],
  DepthwiseConv2dNativeBackpropFilter: ['x', 'dy'],
  FusedConv2D: ['x', 'filter'],
};

/** FusedConv2D activations the native epilogue computes (the addon's act codes); others fall back. */
export const FUSED_ACTIVATIONS: Record<string, number> = { linear: 0, relu: 1, relu6: 2, leakyrelu: 3 };

function geomOf(info: tf.backend_util.Conv2DInfo, mult: number): ConvGeom {
  return {
    batch: info.batchSize, in_h: info.inHeight, in_w: info.inWidth, in_c: info.inChannels,
    out_h: info.outHeight, out_w: info.outWidth, out_c: info.outChannels,
    f_h: info.filterHeight, f_w: info.filterWidth,
    stride_h: info.strideHeight, stride_w: info.strideWidth, dil_h: info.dilationHeight, dil_w: info.dilationWidth,
    pad_top: info.padInfo.top, pad_left: info.padInfo.left, mult,
  };
}

/** Bias absent or rank 1 with one value per output channel; no PReLU weights; a supported activation. */
function fusedEpilogueOk(shapes: Record<string, readonly number[]>, attrs: Attrs, outChannels: number): boolean {
  const bias = shapes.bias;
  if (bias != null && (bias.length !== 1 || bias[0] !== outChannels)) return false;
  return shapes.preluActivationWeights == null && FUSED_ACTIVATIONS[(attrs.activation as string | undefined) ?? 'linear'] != null;
}

const sameShape = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((v, i) => v === b[i]);
const isRank4 = (s: readonly number[] | undefined): s is Shape4 => s != null && s.length === 4;
const ones = (v: unknown) => v == null || (Array.isArray(v) ? v.every((d) => d === 1) : v === 1);

/**
 * The native plan for one kernel call, or null when the native kernels do not cover it. Steps:
 *  1. NHWC only (dataFormat 'NCHW' -> null); every shape rank 4;
 *  2. tfjs's computeConv2DInfo on the forward-direction shapes (for gradients: inputShape or
 *     filterShape from attrs) gives output size and padding;
 *  3. consistency: channels agree, dy has the forward output's shape, nothing is empty.
 */
export function planNative(kernel: NativeKernelName, shapes: Record<string, readonly number[]>, attrs: Attrs): NativePlan | null {
  if (attrs.dataFormat != null && attrs.dataFormat !== 'NHWC') return null;
  const depthwise = kernel.startsWith('Depthwise');
  const gradInput = kernel.endsWith('BackpropInput'), gradFilter = kernel.endsWith('BackpropFilter');
  const xShape = (gradInput ? attrs.inputShape : shapes.x) as number[] | undefined;
  const fShape = (gradFilter ? attrs.filterShape : shapes.filter) as number[] | undefined;
  if (!isRank4(xShape) || !isRank4(fShape)) return null;
  if (kernel === 'FusedConv2D' && !fusedEpilogueOk(shapes, attrs, fShape[3])) return null;
  const forward = kernel === 'Conv2D' || kernel === 'FusedConv2D';
  const dilations = (depthwise || forward ? attrs.dilations : 1) ?? 1;
  // tfjs requires stride 1 or dilation 1; leave the error to the original kernel.
  if (!ones(attrs.strides) && !ones(dilations)) return null;
  if (xShape[3] !== fShape[2]) return null;
  let info: tf.backend_util.Conv2DInfo;
  try {
    info = tf.backend_util.computeConv2DInfo(xShape, fShape, attrs.strides as [number, number], dilations as [number, number],
      attrs.pad as 'same', attrs.dimRoundingMode as 'floor' | undefined, depthwise, 'channelsLast');
  } catch {
    return null;
  }
  if ([...xShape, ...fShape, ...info.outShape].some((d) => !(d >= 1))) return null;
  if (gradInput || gradFilter) {
    const dy = shapes.dy;
    if (dy == null || !sameShape(dy, info.outShape)) return null;
  }
  const outShape = gradInput ? xShape : gradFilter ? fShape : info.outShape;
  return { geom: geomOf(info, depthwise ? fShape[3] : 1), inputs: INPUTS[kernel], outShape: [...outShape] };
}
