// Batched matrix product (tfjs `BatchMatMul` on the wasm backend, whose own kernel runs at about
// 3 GFLOP/s): C[i] = op(A[i]) op(B[i]) for i in [0, batch), row-major, op = identity or transpose.
//
// Without a transposed A, every product is the indirect GEMM with one tap (A's rows in place, B
// packed again only when the next product uses another B). With a transposed A (the weight gradient x^T dy of a matMul),
// C = A^T B is the reduction GEMM of filter gradients: rows of A and B are read in place, the sum
// runs over their shared leading dimension. A transposed B is first transposed to row-major in
// cache-sized tiles (both drivers then read it in place or pack it). Products of at most 8 rows (a
// fully connected layer on a small batch) skip the GEMM machinery with the same arithmetic.
#include <algorithm>
#include <cmath>
#include <vector>

#include "sg3native.h"

namespace sg3 {
namespace {

// B[i] as row-major [K, N] (a transposed B is stored [N, K]): the tiled, threaded transpose.cc.
void transpose_into(const float* b, int N, int K, std::vector<float>& out) {
  out.resize(size_t(K) * N);
  const int shape[2] = {N, K}, perm[2] = {1, 0};
  transpose(reinterpret_cast<const uint32_t*>(b), reinterpret_cast<uint32_t*>(out.data()), 2, shape, perm);
}

// Few rows (a fully connected layer on a small batch: M = batch): the GEMM's packing and 8-row
// tiles would cost more than the product. C[m, j0:j1) for m < M <= kSmallM, B read once, with the
// GEMM's arithmetic exactly (igemm: k in the same blocks, an FMA chain per block from zero, block
// sums added to the running total), so results do not depend on which path a shape takes.
constexpr int kSmallM = 8;
constexpr int kCols = 64;   // columns per task: the M accumulators of a task stay in L1
constexpr int kBlockK = 256;  // gemm.cc's KC: its split of a long reduction

void small_m_rows(int M, int N, int K, const float* a, const float* b, float* c, int j0, int j1) {
  float total[kSmallM][kCols], part[kSmallM][kCols];
  const int n = j1 - j0;
  const int pieces = K >= kBlockK ? (K + kBlockK - 1) / kBlockK : 1, len = (K + pieces - 1) / pieces;
  for (int k0 = 0; k0 < K; k0 += len) {
    for (int m = 0; m < M; ++m) std::fill(part[m], part[m] + n, 0.0f);
    for (int k = k0; k < std::min(K, k0 + len); ++k) {
      const float* bk = b + size_t(k) * N + j0;
      for (int m = 0; m < M; ++m) {
        const float am = a[size_t(m) * K + k];
        for (int j = 0; j < n; ++j) part[m][j] = std::fma(am, bk[j], part[m][j]);
      }
    }
    for (int m = 0; m < M; ++m)
      for (int j = 0; j < n; ++j) total[m][j] = k0 == 0 ? part[m][j] : part[m][j] + total[m][j];
  }
  for (int m = 0; m < M; ++m) std::copy(total[m], total[m] + n, c + size_t(m) * N + j0);
}

void small_m(const MatMulGeom& g, const float* a, const float* b, float* c) {
  const size_t a_step = size_t(g.M) * g.K, b_step = size_t(g.K) * g.N, c_step = size_t(g.M) * g.N;
  std::vector<std::vector<float>> bt(g.trans_b ? g.b_batch : 0);  // B^T stored [N, K]: row-major [K, N] first
  for (size_t i = 0; i < bt.size(); ++i) transpose_into(b + b_step * i, g.N, g.K, bt[i]);
  const int chunks = (g.N + kCols - 1) / kCols;
  parallel_for(g.batch * chunks, [&](int t, int) {
    const int i = t / chunks, j0 = (t % chunks) * kCols, j1 = std::min(g.N, j0 + kCols);
    const float* bi = g.trans_b ? bt[g.b_index[i]].data() : b + b_step * g.b_index[i];
    small_m_rows(g.M, g.N, g.K, a + a_step * g.a_index[i], bi, c + c_step * i, j0, j1);
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
