// One Adam step of one parameter, fused (train/adam.ts runs it as 13 tfjs ops per parameter, each a
// pass over the tensor plus the engine's per-op cost, ~1000 ops per training iteration). The
// float32 operations are exactly those ops, in their order (GCC would contract a*b + c into an FMA,
// which rounds once instead of twice: this file turns contraction off), so the result is
// bit-identical:
//   m' = m*b1 + g*(1-b1);  v' = v*b2 + (g*g)*(1-b2);  p' = p - (m' / (sqrt(v')/bc2_sqrt + eps)) * step_size
#include <algorithm>
#include <cmath>

#include "sg3native.h"

#pragma GCC optimize("fp-contract=off")  // every function below, the parallel loop's lambda included

namespace sg3 {

void adam_step(const AdamScalars& s, const float* p, const float* g, const float* m, const float* v,
               float* p_out, float* m_out, float* v_out, size_t n) {
  constexpr size_t kChunk = 16384;
  const size_t tasks = (n + kChunk - 1) / kChunk;
  parallel_for(int(tasks), [&](int t, int) {
    const size_t i1 = std::min(n, (size_t(t) + 1) * kChunk);
    for (size_t i = size_t(t) * kChunk; i < i1; ++i) {
      const float gi = g[i];
      const float mi = m[i] * s.beta1 + gi * s.one_minus_beta1;
      const float vi = v[i] * s.beta2 + (gi * gi) * s.one_minus_beta2;
      const float denom = std::sqrt(vi) / s.bc2_sqrt + s.eps;
      p_out[i] = p[i] - (mi / denom) * s.step_size;
      m_out[i] = mi;
      v_out[i] = vi;
    }
  }, 8.0 * n);
}

}  // namespace sg3
