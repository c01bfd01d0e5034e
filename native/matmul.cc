// Batched matrix product (tfjs `BatchMatMul` on the wasm backend, whose own kernel runs at about
// 3 GFLOP/s): C[i] = op(A[i]) op(B[i]) for i in [0, batch), row-major, op = identity or transpose.
//
// Without a transposed A, every product is the indirect GEMM with one tap (A's rows in place, B
// packed again only when the next product uses another B). With a transposed A (the weight gradient x^T dy of a matMul),
// C = A^T B is the reduction GEMM of filter gradients: rows of A and B are read in place, the sum
// runs over their shared leading dimension. A transposed B is first transposed to row-major in
// cache-sized tiles (both drivers then read it in place or pack it). Products of at most 8 rows (a
// fully connected layer on a small batch) skip the GEMM machinery: row updates or dot products.
#include <algorithm>
#include <cstring>
#include <vector>

#include "sg3native.h"

namespace sg3 {
namespace {

// B[i] as row-major [K, N] (a transposed B is stored [N, K]).
void transpose_into(const float* b, int N, int K, std::vector<float>& out) {
  out.resize(size_t(K) * N);
  constexpr int T = 32;  // tiles keep both sides in cache
  for (int j0 = 0; j0 < N; j0 += T)
    for (int k0 = 0; k0 < K; k0 += T)
      for (int j = j0; j < std::min(N, j0 + T); ++j)
        for (int k = k0; k < std::min(K, k0 + T); ++k) out[size_t(k) * N + j] = b[size_t(j) * K + k];
}

typedef float vf __attribute__((vector_size(64)));
constexpr int VL = 16;
inline vf load(const float* p) { vf v; std::memcpy(&v, p, sizeof v); return v; }
inline void store(float* p, vf v) { std::memcpy(p, &v, sizeof v); }

// Few rows (a fully connected layer on a small batch: M = batch): the GEMM's packing of B would cost
// more than the product. C[m, j] for columns [j0, j1), m < M <= kSmallM, B read once.
constexpr int kSmallM = 8;
constexpr int kCols = 64;  // columns per task: the M accumulators of a task stay in registers/L1

// op(B) = B [K, N]: C[m, j0:j1] = sum_k A[m, k] * B[k, j0:j1].
void small_m_rows(const MatMulGeom& g, const float* a, const float* b, float* c, int j0, int j1) {
  float acc[kSmallM][kCols] = {};
  const int n = j1 - j0;
  for (int k = 0; k < g.K; ++k) {
    const float* bk = b + size_t(k) * g.N + j0;
    for (int m = 0; m < g.M; ++m) {
      const float am = a[size_t(m) * g.K + k];
      for (int j = 0; j < n; ++j) acc[m][j] += am * bk[j];
    }
  }
  for (int m = 0; m < g.M; ++m) std::copy(acc[m], acc[m] + n, c + size_t(m) * g.N + j0);
}

// op(B) = B^T, B stored [N, K]: C[m, j] = dot(A[m, :], B[j, :]) for j in [j0, j1).
void small_m_dots(const MatMulGeom& g, const float* a, const float* b, float* c, int j0, int j1) {
  for (int j = j0; j < j1; ++j) {
    const float* bj = b + size_t(j) * g.K;
    vf acc[kSmallM] = {};
    int k = 0;
    for (; k + VL <= g.K; k += VL) {
      const vf bv = load(bj + k);
      for (int m = 0; m < g.M; ++m) acc[m] += load(a + size_t(m) * g.K + k) * bv;
    }
    for (int m = 0; m < g.M; ++m) {
      float sum = 0.0f;
      for (int l = 0; l < VL; ++l) sum += acc[m][l];
      for (int kk = k; kk < g.K; ++kk) sum += a[size_t(m) * g.K + kk] * bj[kk];
      c[size_t(m) * g.N + j] = sum;
    }
  }
}

void small_m(const MatMulGeom& g, const float* a, const float* b, float* c) {
  const size_t a_step = size_t(g.M) * g.K, b_step = size_t(g.K) * g.N, c_step = size_t(g.M) * g.N;
  const int chunks = (g.N + kCols - 1) / kCols;
  parallel_for(g.batch * chunks, [&](int t, int) {
    const int i = t / chunks, j0 = (t % chunks) * kCols, j1 = std::min(g.N, j0 + kCols);
    const float* ai = a + a_step * g.a_index[i];
    const float* bi = b + b_step * g.b_index[i];
    if (g.trans_b) small_m_dots(g, ai, bi, c + c_step * i, j0, j1);
    else small_m_rows(g, ai, bi, c + c_step * i, j0, j1);
  }, double(g.batch) * g.M * g.N * g.K);
}

}  // namespace

void batch_matmul(const MatMulGeom& g, const float* a, const float* b, float* c) {
  const size_t a_step = size_t(g.M) * g.K, b_step = size_t(g.K) * g.N, c_step = size_t(g.M) * g.N;
  if (g.K == 0) { std::fill(c, c + c_step * g.batch, 0.0f); return; }
  if (!g.trans_a && g.M <= kSmallM) { small_m(g, a, b, c); return; }
  if (g.trans_a) {
    std::vector<float> bt;
    for (int i = 0; i < g.batch; ++i) {
      const float* ai = a + a_step * g.a_index[i];
      const float* bi = b + b_step * g.b_index[i];
      if (g.trans_b && (i == 0 || g.b_index[i] != g.b_index[i - 1])) transpose_into(bi, g.N, g.K, bt);
      ReduceProblem p{g.K, g.N, 1, g.M, [&](int k, int) { return ai + size_t(k) * g.M; },
                      g.trans_b ? bt.data() : bi, g.N, c + c_step * i};
      reduce_gemm(p);
    }
    return;
  }
  PackedB packed;
  std::vector<float> bt;
  for (int i = 0; i < g.batch; ++i) {
    const float* bi = b + b_step * g.b_index[i];
    if (i == 0 || g.b_index[i] != g.b_index[i - 1]) {
      if (g.trans_b) {  // transposed in cache-sized tiles first: a strided gather per packed row misses cache
        transpose_into(bi, g.N, g.K, bt);
        pack_b(packed, g.K, g.N, [&](int k, int j0, int j1, float* dst) {
          std::copy(bt.data() + size_t(k) * g.N + j0, bt.data() + size_t(k) * g.N + j1, dst);
        });
      } else
        pack_b(packed, g.K, g.N, [&](int k, int j0, int j1, float* dst) {
          std::copy(bi + size_t(k) * g.N + j0, bi + size_t(k) * g.N + j1, dst);
        });
    }
    const float* ai = a + a_step * g.a_index[i];
    float* ci = c + c_step * i;
    IndirectRows rows{g.M, g.N, 1, g.K, [&](int m, const float** ap, int, float** cp) {
      ap[0] = ai + size_t(m) * g.K;
      *cp = ci + size_t(m) * g.N;
    }};
    igemm(rows, packed);
  }
}

}  // namespace sg3
