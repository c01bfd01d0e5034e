/**
 * Gradients tfjs does not define but that second-order training terms hit.
 *
 * R1 (`d/dθ sum((dD/dx)^2)`) differentiates D's backward pass. Its tape therefore holds the
 * kernels of a backward pass, and tfjs throws "gradient function not found" for:
 *  - comparison/logical kernels (`Greater` inside leakyRelu's gradient, `LessEqual`/`LogicalAnd`
 *    inside clipByValue's): they are piecewise constant, so their gradient is zero, as in torch;
 *  - `StridedSlice` (every-n-th-sample downsampling, e.g. upfirdn2d's `down`): its gradient
 *    scatters dy back with zeros between the kept samples (positive strides, begin/end masks);
 *  - `Conv2DBackpropFilter`, `DepthwiseConv2dNativeBackpropInput`/`...Filter`: backprop kernels
 *    are bilinear in their two inputs, so their gradients are the other two members of the
 *    conv/backprop-input/backprop-filter triple (the adjoint identity
 *    <W, backpropFilter(x, dy)> = <conv(x, W), dy> = <x, backpropInput(dy, W)>).
 *  - `ScatterNd` (the scatter-add gradient of the augmentation's bilinear gather, which R1 on
 *    augmented reals differentiates again): linear in `updates`, so d updates = gatherND(dy, indices).
 * Registration is global (all backends) and only fills gaps: an existing gradient is kept.
 */
import * as tf from '@tensorflow/tfjs-core';

type Attrs = Record<string, unknown>;

function run(kernel: string, inputs: Record<string, tf.Tensor>, attrs: Attrs): tf.Tensor {
  return tf.engine().runKernel(kernel, inputs as tf.NamedTensorMap, attrs as tf.NamedAttrMap) as tf.Tensor;
}

/** Kernels whose output is piecewise constant in every input: zero gradient (float32, as the tape requires). */
const PIECEWISE_CONSTANT = [
  'Greater', 'GreaterEqual', 'Less', 'LessEqual', 'Equal', 'NotEqual',
  'LogicalAnd', 'LogicalOr', 'LogicalNot', 'LogicalXor', 'IsNan', 'IsInf', 'IsFinite',
];

function zeroGradient(kernelName: string, inputNames: string[]): tf.GradConfig {
  return {
    kernelName,
    inputsToSave: inputNames,
    gradFunc: (_dy, saved) => Object.fromEntries(inputNames.map((name, i) => [name, () => tf.zeros(saved[i]!.shape)])),
  };
}

const BINARY = new Set(['Greater', 'GreaterEqual', 'Less', 'LessEqual', 'Equal', 'NotEqual', 'LogicalAnd', 'LogicalOr', 'LogicalXor']);

const conv2DBackpropFilterGrad: tf.GradConfig = {
  kernelName: 'Conv2DBackpropFilter',
  inputsToSave: ['x', 'dy'],
  gradFunc: (ddw, saved, attrs) => {
    const [x, dy] = saved as [tf.Tensor4D, tf.Tensor4D];
    const { strides, pad, dataFormat, dimRoundingMode } = attrs as Attrs;
    return {
      x: () => run('Conv2DBackpropInput', { dy, filter: ddw as tf.Tensor }, { strides, pad, dataFormat, dimRoundingMode, inputShape: x.shape }),
      dy: () => run('Conv2D', { x, filter: ddw as tf.Tensor }, { strides, pad, dataFormat, dilations: 1, dimRoundingMode }),
    };
  },
};

const depthwiseBackpropInputGrad: tf.GradConfig = {
  kernelName: 'DepthwiseConv2dNativeBackpropInput',
  inputsToSave: ['dy', 'filter'],
  gradFunc: (ddx, saved, attrs) => {
    const [dy, filter] = saved as [tf.Tensor4D, tf.Tensor4D];
    const { strides, dilations, pad, dimRoundingMode } = attrs as Attrs;
    return {
      dy: () => run('DepthwiseConv2dNative', { x: ddx as tf.Tensor, filter }, { strides, pad, dataFormat: 'NHWC', dilations, dimRoundingMode }),
      filter: () => run('DepthwiseConv2dNativeBackpropFilter', { x: ddx as tf.Tensor, dy }, { strides, dilations, pad, dimRoundingMode, filterShape: filter.shape }),
    };
  },
};

const depthwiseBackpropFilterGrad: tf.GradConfig = {
  kernelName: 'DepthwiseConv2dNativeBackpropFilter',
  inputsToSave: ['x', 'dy'],
  gradFunc: (ddw, saved, attrs) => {
    const [x, dy] = saved as [tf.Tensor4D, tf.Tensor4D];
    const { strides, dilations, pad, dimRoundingMode } = attrs as Attrs;
    return {
      x: () => run('DepthwiseConv2dNativeBackpropInput', { dy, filter: ddw as tf.Tensor }, { strides, dilations, pad, dimRoundingMode, inputShape: x.shape }),
      dy: () => run('DepthwiseConv2dNative', { x, filter: ddw as tf.Tensor }, { strides, pad, dataFormat: 'NHWC', dilations, dimRoundingMode }),
    };
  },
};

/**
 * StridedSlice's gradient: per axis, insert (stride-1) zeros after every dy sample (reshape + pad),
 * trim the trailing zeros, then pad by `begin` before and the remainder after. Built from ops
 * that have gradients, so it is itself differentiable.
 */
const stridedSliceGrad: tf.GradConfig = {
  kernelName: 'StridedSlice',
  inputsToSave: ['x'],
  gradFunc: (dy, saved, attrs) => {
    const [x] = saved as [tf.Tensor];
    const a = attrs as Record<string, number & number[]>;
    // tfjs 4.22's own forward StridedSlice mis-reads shrink axes, so only plain masks are handled.
    if (a.ellipsisMask || a.newAxisMask || a.shrinkAxisMask) {
      throw new Error(`StridedSlice gradient: ellipsis, new-axis and shrink-axis masks are not supported (got ${a.ellipsisMask}, ${a.newAxisMask}, ${a.shrinkAxisMask})`);
    }
    const info = tf.slice_util.sliceInfo(x.shape, a.begin, a.end, a.strides, a.beginMask, a.endMask, 0, 0, 0);
    return {
      x: () => {
        let g = tf.reshape(dy as tf.Tensor, info.finalShapeSparse);
        if (g.size === 0) return tf.zeros(x.shape);
        for (let axis = 0; axis < x.rank; axis++) {
          const s = info.strides[axis]!, len = info.finalShapeSparse[axis]!, begin = info.begin[axis]!;
          if (s < 0) throw new Error(`StridedSlice gradient: negative strides are not supported (got ${s} on axis ${axis})`);
          if (s > 1) {
            const shape = g.shape;
            const expanded = tf.reshape(g, [...shape.slice(0, axis + 1), 1, ...shape.slice(axis + 1)]);
            const padding = shape.map(() => [0, 0] as [number, number]);
            padding.splice(axis + 1, 0, [0, s - 1]);
            g = tf.reshape(tf.pad(expanded, padding), [...shape.slice(0, axis), len * s, ...shape.slice(axis + 1)]);
          }
          const used = (len - 1) * s + 1;
          const trimmed = s > 1 ? tf.slice(g, g.shape.map(() => 0), g.shape.map((d, i) => (i === axis ? used : d))) : g;
          const padding = trimmed.shape.map(() => [0, 0] as [number, number]);
          padding[axis] = [begin, x.shape[axis]! - begin - used];
          g = tf.pad(trimmed, padding);
        }
        return g;
      },
    };
  },
};

const scatterNdGrad: tf.GradConfig = {
  kernelName: 'ScatterNd',
  inputsToSave: ['indices'],
  gradFunc: (dy, saved) => {
    const [indices] = saved as [tf.Tensor];
    return { updates: () => tf.gatherND(dy as tf.Tensor, indices) };
  },
};

/** The gradient configs this module adds where tfjs has none (exported for tests). */
export function missingGradientConfigs(): tf.GradConfig[] {
  const configs = PIECEWISE_CONSTANT.map((k) => zeroGradient(k, BINARY.has(k) ? ['a', 'b'] : ['x']));
  return [...configs, stridedSliceGrad, conv2DBackpropFilterGrad, depthwiseBackpropInputGrad, depthwiseBackpropFilterGrad, scatterNdGrad];
}

/** Registers every config of `missingGradientConfigs` whose kernel has no gradient yet; returns their names. */
export function registerMissingGradients(): string[] {
  const added: string[] = [];
  for (const config of missingGradientConfigs()) {
    if (tf.getGradient(config.kernelName) != null) continue;
    tf.registerGradient(config);
    added.push(config.kernelName);
  }
  return added;
}
