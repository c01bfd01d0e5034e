/**
 * The native Transpose (backend/native/transpose.ts) on wasm against a transpose computed here by
 * index arithmetic: every permutation of rank 2-4 shapes with odd sizes and size-1 dims, rank 5-6
 * cases, the conv-filter shapes tfjs transposes in gradients, float32 and int32 (bits kept, NaN
 * payloads too); the dim reduction; bool falls back to wasm's kernel.
 */
import test from 'ava';
import { tf, initBackend } from '../../src/backend/index.ts';
import { nativeTransposeCalls, reduceTranspose } from '../../src/backend/native/index.ts';

test.before(async () => { await initBackend('wasm'); });

function permutations(n: number): number[][] {
  if (n === 1) return [[0]];
  return permutations(n - 1).flatMap((p) => Array.from({ length: n }, (_, i) => [...p.slice(0, i), n - 1, ...p.slice(i)]));
}

/** y[j] for every output flat index j: x at the input index whose dim perm[i] = output coord i. */
function reference(x: Int32Array, shape: number[], perm: number[]): Int32Array {
  const outShape = perm.map((d) => shape[d]!), y = new Int32Array(x.length);
  const inStride = shape.map((_, d) => shape.slice(d + 1).reduce((a, b) => a * b, 1));
  for (let j = 0; j < y.length; j++) {
    let rest = j, off = 0;
    for (let i = outShape.length - 1; i >= 0; i--) { off += (rest % outShape[i]!) * inStride[perm[i]!]!; rest = Math.floor(rest / outShape[i]!); }
    y[j] = x[off]!;
  }
  return y;
}

const CASES: [number[], number[][]][] = [
  [[37, 19], permutations(2)],
  [[5, 1, 33, 18], permutations(4)],
  [[3, 3, 129, 128], [[3, 2, 0, 1], [1, 0, 3, 2], [0, 1, 3, 2], [2, 3, 0, 1]]],
  [[4, 36, 36, 7], [[0, 3, 1, 2], [0, 2, 3, 1]]],
  [[2, 3, 4, 5, 6], [[4, 3, 2, 1, 0], [0, 2, 1, 4, 3], [1, 0, 2, 3, 4]]],
  [[2, 1, 3, 2, 5, 3], [[5, 0, 4, 1, 3, 2]]],
  [[7, 11, 13], permutations(3)],
];

for (const dtype of ['float32', 'int32'] as const) {
  for (const [shape, perms] of CASES) {
    test.serial(`${dtype} [${shape}] under ${perms.length} permutation(s): native equals the index-arithmetic transpose`, (t) => {
      const n = shape.reduce((a, b) => a * b, 1);
      const bits = Int32Array.from({ length: n }, (_, i) => (i * 2654435761) | 0);
      bits[0] = 0x7fc01234;  // a NaN payload must survive as float32
      const x = dtype === 'int32' ? tf.tensor(bits, shape, 'int32') : tf.tensor(new Float32Array(bits.buffer), shape, 'float32');
      for (const perm of perms) {
        const before = nativeTransposeCalls();
        const y = tf.transpose(x, perm);
        t.is(nativeTransposeCalls(), before + (reduceTranspose(shape, perm).perm.every((d, i) => d === i) ? 0 : 1), `perm [${perm}] ran natively (or moved nothing)`);
        t.deepEqual(y.shape, perm.map((d) => shape[d]!));
        const got = new Int32Array((y.dataSync() as Float32Array | Int32Array).buffer.slice(0));
        t.deepEqual(got, reference(bits, shape, perm), `perm [${perm}]`);
        y.dispose();
      }
      x.dispose();
    });
  }
}

test.serial('reduceTranspose drops size-1 dims and merges dims that stay adjacent', (t) => {
  t.deepEqual(reduceTranspose([5, 1, 33, 18], [0, 1, 3, 2]), { shape: [5, 33, 18], perm: [0, 2, 1] });
  t.deepEqual(reduceTranspose([3, 3, 128, 64], [2, 3, 0, 1]), { shape: [9, 8192], perm: [1, 0] });
  t.deepEqual(reduceTranspose([2, 3, 4], [0, 1, 2]), { shape: [24], perm: [0] });
  t.deepEqual(reduceTranspose([4, 36, 36, 7], [0, 3, 1, 2]), { shape: [4, 1296, 7], perm: [0, 2, 1] });
});

test.serial('bool falls back to the wasm kernel; gradients are transposes back', (t) => {
  const before = nativeTransposeCalls();
  const b = tf.transpose(tf.tensor([[true, false, true]], [1, 3], 'bool'), [1, 0]);
  t.deepEqual(Array.from(b.dataSync()), [1, 0, 1]);
  t.is(nativeTransposeCalls(), before);
  const x = tf.tensor(Float32Array.from({ length: 24 }, (_, i) => i), [2, 3, 4]);
  const w = tf.tensor(Float32Array.from({ length: 24 }, (_, i) => i * i), [4, 2, 3]);
  const g = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(tf.transpose(v, [2, 0, 1]), w)))(x);
  t.deepEqual(Array.from(g.dataSync()), Array.from(tf.transpose(w, [1, 2, 0]).dataSync()));
});
