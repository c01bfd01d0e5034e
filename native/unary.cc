// Element-wise sine and cosine (tfjs `Sin`, `Cos` on the wasm backend: ~26 ns per element there,
// which made StyleGAN3's Fourier-feature input a few ms per forward). libm's sinf/cosf, so results
// are within an ulp of the exact value, as wasm's own.
#include <algorithm>
#include <cmath>

#include "sg3native.h"

namespace sg3 {

void unary(UnaryOp op, const float* x, float* y, size_t n) {
  constexpr size_t kChunk = 8192;
  const size_t tasks = (n + kChunk - 1) / kChunk;
  parallel_for(int(tasks), [&](int t, int) {
    const size_t i0 = size_t(t) * kChunk, i1 = std::min(n, i0 + kChunk);
    if (op == UnaryOp::kSin)
      for (size_t i = i0; i < i1; ++i) y[i] = std::sin(x[i]);
    else
      for (size_t i = i0; i < i1; ++i) y[i] = std::cos(x[i]);
  }, 20.0 * n);  // a sinf costs about 20 multiply-adds
}

}  // namespace sg3
