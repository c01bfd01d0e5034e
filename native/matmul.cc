// Batched matrix product (tfjs `BatchMatMul` on the wasm backend, whose own kernel runs at about
// 3 GFLOP/s): C[i] = op(A[i]) op(B[i]) for i in [0, batch), row-major, op = identity or transpose.
//
// Without a transposed A, every product is the indirect GEMM with one tap (A's rows in place, B
// packed again only when the next product uses another B). With a transposed A (the weight gradient x^T dy of a matMul),
// C = A^T B is the reduction GEMM of filter gradients: rows of A and B are read in place, the sum
// runs over their shared leading dimension. A transposed B is gathered while packing (igemm), or
// copied once to row-major (reduce_gemm reads B rows in place).
#include <algorithm>
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

}  // namespace

void batch_matmul(const MatMulGeom& g, const float* a, const float* b, float* c) {
  const size_t a_step = size_t(g.M) * g.K, b_step = size_t(g.K) * g.N, c_step = size_t(g.M) * g.N;
  if (g.K == 0) { std::fill(c, c + c_step * g.batch, 0.0f); return; }
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
  for (int i = 0; i < g.batch; ++i) {
    const float* bi = b + b_step * g.b_index[i];
    if (i == 0 || g.b_index[i] != g.b_index[i - 1]) {
      if (g.trans_b)
        pack_b(packed, g.K, g.N, [&](int k, int j0, int j1, float* dst) {
          for (int j = j0; j < j1; ++j) dst[j - j0] = bi[size_t(j) * g.K + k];
        });
      else
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
