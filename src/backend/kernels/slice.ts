/**
 * Slicing on wasm without its slow path. tfjs-backend-wasm slices in JavaScript: ranks 2-4 copy
 * contiguous rows, but rank >= 5 falls back to an element-by-element loop (measured: the gradient
 * of one `tf.stack` over [4,116,58,2,64] took 2.1 s in Unpack). Stack, concat and pad produce
 * exactly such rank-5 slices in their gradients (Unpack, SplitV, Slice).
 *
 * Any slice can be rewritten on a lower-rank view: an axis whose inner neighbour is taken whole
 * (begin 0, full size) merges with it, e.g. [N,H,V,u,C] taking index q of axis 3 is [N*H*V, u, C]
 * taking [:, q, :]. `collapseSlice` does that merge; the original wasm Slice then runs on the
 * view (reshapes are free), so every slice of at most four "ragged" axes takes the row-copy path.
 *
 * The cpu backend copies every non-contiguous slice element by element through a TensorBuffer
 * (measured: 0.25 s to crop [4,54,54,64] by 4 columns). `cpuSliceKernel` copies whole collapsed
 * rows instead; tests and the cpu fallback use it.
 */
import * as tf from '@tensorflow/tfjs-core';

type Info = tf.TensorInfo;
type KernelFunc = (args: { inputs: tf.NamedTensorInfoMap; attrs: tf.NamedAttrMap; backend: tf.KernelBackend }) => Info | Info[];

/** Merges each axis into its inner neighbour group when that group is taken whole. Pure. */
export function collapseSlice(shape: number[], begin: number[], size: number[]): { shape: number[]; begin: number[]; size: number[] } {
  const out = { shape: [] as number[], begin: [] as number[], size: [] as number[] };
  for (let i = shape.length - 1; i >= 0; i--) {
    const g = out.shape.length - 1;  // group 0 of the result is the innermost here (reversed below)
    const innerWhole = g >= 0 && out.begin[g] === 0 && out.size[g] === out.shape[g];
    if (innerWhole) {
      out.begin[g] = begin[i]! * out.shape[g]!;
      out.size[g] = size[i]! * out.shape[g]!;
      out.shape[g] = shape[i]! * out.shape[g]!;
    } else {
      out.shape.push(shape[i]!);
      out.begin.push(begin[i]!);
      out.size.push(size[i]!);
    }
  }
  out.shape.reverse(); out.begin.reverse(); out.size.reverse();
  return out;
}

/** Builds the fast Slice, Unpack and SplitV kernels around the backend's own Slice. */
export function fastSliceKernels(originalSlice: KernelFunc): Record<string, KernelFunc> {
  const reshape = (x: Info, shape: number[], backend: tf.KernelBackend): Info =>
    tf.getKernel('Reshape', 'wasm')!.kernelFunc({ inputs: { x }, attrs: { shape }, backend }) as Info;

  function slice(x: Info, begin: number[], size: number[], backend: tf.KernelBackend): Info {
    const [b, s] = tf.slice_util.parseSliceParams(x as tf.Tensor, begin, size);
    const c = collapseSlice(x.shape, b, s);
    if (c.shape.length === x.shape.length || c.shape.length > 4) {
      return originalSlice({ inputs: { x }, attrs: { begin: b, size: s }, backend }) as Info;
    }
    const view = reshape(x, c.shape, backend);
    const part = originalSlice({ inputs: { x: view }, attrs: { begin: c.begin, size: c.size }, backend }) as Info;
    backend.disposeData(view.dataId);
    const result = reshape(part, s, backend);
    backend.disposeData(part.dataId);
    return result;
  }

  return {
    Slice: ({ inputs, attrs, backend }) => slice(inputs.x!, attrs.begin as number[], attrs.size as number[], backend),
    Unpack: ({ inputs, attrs, backend }) => {
      const x = inputs.value!;
      const axis = tf.util.parseAxisParam(attrs.axis as number, x.shape)[0]!;
      const size = x.shape.slice();
      size[axis] = 1;
      const outShape = x.shape.filter((_, i) => i !== axis);
      return Array.from({ length: x.shape[axis]! }, (_, i) => {
        const begin = x.shape.map((_, k) => (k === axis ? i : 0));
        const part = slice(x, begin, size, backend);
        return { dataId: part.dataId, dtype: part.dtype, shape: outShape };
      });
    },
    SplitV: ({ inputs, attrs, backend }) => {
      const x = inputs.x!;
      const axis = tf.util.parseAxisParam(attrs.axis as number, x.shape)[0]!;
      const sizes = tf.backend_util.prepareSplitSize(x as tf.Tensor, attrs.numOrSizeSplits as number[], axis);
      const begin = new Array(x.shape.length).fill(0);
      return sizes.map((s) => {
        const size = x.shape.slice();
        size[axis] = s;
        const part = slice(x, begin.slice(), size, backend);
        begin[axis] += s;
        return part;
      });
    },
  };
}

type Typed = Float32Array | Int32Array | Uint8Array;

/** Copies the slice row by row: odometer over the outer axes of the collapsed view. Pure. */
export function sliceRows(src: Typed, shape: number[], begin: number[], size: number[]): Typed {
  const c = collapseSlice(shape, begin, size);
  const out = new (src.constructor as new (n: number) => Typed)(size.reduce((a, b) => a * b, 1));
  if (out.length === 0) return out;
  const rank = c.shape.length;
  const strides = new Array<number>(rank).fill(1);
  for (let i = rank - 2; i >= 0; i--) strides[i] = strides[i + 1]! * c.shape[i + 1]!;
  const inner = c.size[rank - 1]!;
  const idx = new Array<number>(rank - 1).fill(0);
  for (let o = 0; o < out.length; o += inner) {
    let offset = c.begin[rank - 1]!;
    for (let i = 0; i < rank - 1; i++) offset += (c.begin[i]! + idx[i]!) * strides[i]!;
    out.set(src.subarray(offset, offset + inner), o);
    for (let i = rank - 2; i >= 0; i--) {
      if (++idx[i]! < c.size[i]!) break;
      idx[i] = 0;
    }
  }
  return out;
}

/** Slice for the cpu backend over typed arrays; strings and other storage go to the original. */
export function cpuSliceKernel(original: KernelFunc): KernelFunc {
  return ({ inputs, attrs, backend }) => {
    const x = inputs.x!;
    const stored = (backend as unknown as { data: { get(id: unknown): { values?: unknown } } }).data.get(x.dataId);
    const values = stored?.values;
    if (!(values instanceof Float32Array || values instanceof Int32Array || values instanceof Uint8Array)) {
      return original({ inputs, attrs, backend });
    }
    const [b, s] = tf.slice_util.parseSliceParams(x as tf.Tensor, attrs.begin as number[], attrs.size as number[]);
    const out = sliceRows(values, x.shape, b, s);
    return (backend as unknown as { makeTensorInfo(shape: number[], dtype: string, values: Typed): Info }).makeTensorInfo(s, x.dtype, out);
  };
}
