/**
 * The native BatchMatMul (backend/native/matmul.ts) on wasm against a float64 product computed
 * here: every transpose combination, equal batches, one shared matrix on either side, rank 2 and 4,
 * sizes off the micro-kernel's tiles (M < 8, N not a multiple of 32, K past the 256-float block),
 * K = 1; partial batch broadcasting; the fallback to wasm's kernel for int32; and the gradients tfjs builds from
 * transposed products. Tolerance: float32 rounding of a K-term dot product, 1e-6 relative to the sum
 * of |a||b| behind each output.
 */
import test from 'ava';
import { tf, initBackend } from '../../src/backend/index.ts';
import { loadAddon, nativeMatMulCalls, planMatMul } from '../../src/backend/native/index.ts';
import { Rng } from '../../src/io/rng.ts';

type Case = [number[], number[], boolean, boolean];
const CASES: Case[] = [
  [[4, 2704, 256], [4, 256, 256], false, false],
  [[4, 37, 600], [4, 600, 45], false, false],
  [[4, 512], [256, 512], false, true],
  [[3, 600, 5], [3, 600, 70], true, false],
  [[2, 9, 13], [2, 33, 9], true, true],
  [[1, 20, 30], [5, 30, 40], false, false],
  [[5, 20, 30], [30, 40], false, false],
  [[2, 3, 7, 11], [2, 3, 11, 6], false, false],
  [[6, 1], [1, 3], false, false],
  [[4, 1, 7], [4, 7, 1], false, false],
];

function data(shape: number[], seed: number): Float32Array {
  const rng = new Rng(seed), out = new Float32Array(shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < out.length; i++) out[i] = rng.normal();
  return out;
}

/** float64 C = op(A) op(B) and the bound sum |a||b| per output, batch-broadcast as tfjs does for these cases. */
function reference([as, bs, ta, tb]: Case, a: Float32Array, b: Float32Array): { c: Float64Array; bound: Float64Array } {
  const M = ta ? as.at(-1)! : as.at(-2)!, K = ta ? as.at(-2)! : as.at(-1)!, N = tb ? bs.at(-2)! : bs.at(-1)!;
  const ba = a.length / (M * K), bb = b.length / (K * N), batch = Math.max(ba, bb);
  const c = new Float64Array(batch * M * N), bound = new Float64Array(batch * M * N);
  for (let i = 0; i < batch; i++) {
    const ao = (ba === 1 ? 0 : i) * M * K, bo = (bb === 1 ? 0 : i) * K * N;
    for (let m = 0; m < M; m++) for (let n = 0; n < N; n++) {
      let s = 0, u = 0;
      for (let k = 0; k < K; k++) {
        const av = a[ao + (ta ? k * M + m : m * K + k)]!, bv = b[bo + (tb ? n * K + k : k * N + n)]!;
        s += av * bv;
        u += Math.abs(av * bv);
      }
      c[(i * M + m) * N + n] = s;
      bound[(i * M + m) * N + n] = u;
    }
  }
  return { c, bound };
}

test.before(async () => { await initBackend('wasm'); });

for (const c of CASES) {
  const [as, bs, ta, tb] = c;
  test.serial(`[${as}] x [${bs}] transposeA=${ta} transposeB=${tb}: native equals the float64 product`, (t) => {
    const plan = planMatMul(as, bs, ta, tb);
    t.not(plan, null);
    const a = data(as, 1), b = data(bs, 2);
    const before = nativeMatMulCalls().native;
    const got = tf.matMul(tf.tensor(a, as), tf.tensor(b, bs), ta, tb);
    t.is(nativeMatMulCalls().native, before + 1);
    t.deepEqual(got.shape, plan!.outShape);
    const { c: ref, bound } = reference(c, a, b);
    const g = got.dataSync();
    t.is(g.length, ref.length);
    let worst = 0;
    for (let i = 0; i < g.length; i++) worst = Math.max(worst, Math.abs(g[i]! - ref[i]!) / (bound[i]! + 1e-30));
    t.true(worst <= 1e-6, `relative error ${worst}`);
  });
}

test.serial('partial batch broadcasting: [2,1,3,4] x [1,3,4,5] -> [2,3,3,5], batch (i, j) = a[i, 0] @ b[0, j]', (t) => {
  const a = data([2, 1, 3, 4], 3), b = data([1, 3, 4, 5], 4);
  const got = tf.matMul(tf.tensor(a, [2, 1, 3, 4]), tf.tensor(b, [1, 3, 4, 5]));
  t.deepEqual(got.shape, [2, 3, 3, 5]);
  const g = got.dataSync();
  for (let i = 0; i < 2; i++) for (let j = 0; j < 3; j++) {
    const want = reference([[3, 4], [4, 5], false, false], a.subarray(i * 12, i * 12 + 12), b.subarray(j * 20, j * 20 + 20));
    for (let k = 0; k < 15; k++) t.true(Math.abs(g[(i * 3 + j) * 15 + k]! - want.c[k]!) <= 1e-6 * want.bound[k]! + 1e-12);
  }
});

test.serial('int32 operands fall back to the wasm kernel', (t) => {
  const before = nativeMatMulCalls().fallback;
  t.throws(() => tf.matMul(tf.tensor([[1, 2]], [1, 2], 'int32'), tf.tensor([[3], [4]], [2, 1], 'int32')).dataSync(), { message: /non-float32|float32/ });
  t.is(nativeMatMulCalls().fallback, before + 1);
});

test.serial('mismatched inner dimensions keep tfjs\'s own error', (t) => {
  t.is(planMatMul([2, 3], [4, 5], false, false), null);
  t.throws(() => tf.matMul(tf.zeros([2, 3]), tf.zeros([4, 5])), { message: /inner shapes \(3\) and \(4\)/ });
});

test.serial('gradients through every transpose combination match the float64 products they are made of', (t) => {
  // d/dA sum(W * (A @ B^T)) = W @ B and d/dB = W^T @ A: checked against the float64 reference.
  const A = data([3, 7, 19], 5), B = data([3, 11, 19], 6), W = data([3, 7, 11], 7);
  const [dA, dB] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.tensor(W, [3, 7, 11]), tf.matMul(a, b, false, true))))(
    [tf.tensor(A, [3, 7, 19]), tf.tensor(B, [3, 11, 19])]);
  const wantA = reference([[3, 7, 11], [3, 11, 19], false, false], W, B);
  const wantB = reference([[3, 7, 11], [3, 7, 19], true, false], W, A);
  for (const [got, want] of [[dA!, wantA], [dB!, wantB]] as const) {
    const g = got.dataSync();
    for (let i = 0; i < g.length; i++) t.true(Math.abs(g[i]! - want.c[i]!) <= 1e-6 * want.bound[i]! + 1e-12, `element ${i}: ${g[i]} vs ${want.c[i]}`);
  }
});

test.serial('products of at most 8 rows take their own path with the GEMM\'s arithmetic: bit-identical to the addon\'s GEMM', (t) => {
  const { addon } = loadAddon();
  for (const [M, K, N] of [[1, 100, 37], [4, 512, 256], [8, 600, 70], [3, 2048, 128]] as const) {
    for (const transposeB of [false, true]) {
      const a = data([M, K], 11), b = data(transposeB ? [N, K] : [K, N], 12);
      const bRowMajor = transposeB ? Float32Array.from({ length: K * N }, (_, i) => b[(i % N) * K + Math.floor(i / N)]!) : b;
      const want = new Float32Array(M * N);
      addon.gemm(a, bRowMajor, want, M, N, K);
      const got = tf.matMul(tf.tensor(a, [M, K]), tf.tensor(b, transposeB ? [N, K] : [K, N]), false, transposeB).dataSync();
      t.deepEqual(new Uint32Array(Float32Array.from(got).buffer), new Uint32Array(want.buffer), `M=${M} K=${K} N=${N} transposeB=${transposeB}`);
    }
  }
});
