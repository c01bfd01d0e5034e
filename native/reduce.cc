// Sum over a contiguous range of axes (tfjs `Sum` on the wasm backend, NHWC tensors): viewed as
// x [A, B, C] (A the kept leading axes, B the reduced ones, C the kept trailing ones),
// y[a, c] = sum_b x[a, b, c]. The wasm backend's own Sum transposes the reduced axes to the end
// first (a full copy); this reads x once. Rows are summed in float32 blocks of kBlock, the block
// sums in double, so the error stays at float32 rounding of the result for long reductions.
#include <algorithm>
#include <cstring>
#include <vector>

#include "sg3native.h"

namespace sg3 {
namespace {

typedef float vf __attribute__((vector_size(64)));
constexpr int VL = 16;
constexpr int kBlock = 64;
inline vf ld(const float* p) { vf v; std::memcpy(&v, p, sizeof v); return v; }

// y[0:n) = sum_b x[b*C + 0:n) for one kept-leading index; n <= C channels starting at x.
void sum_rows(const float* x, long B, long C, int n, float* y) {
  double acc[4 * VL] = {};
  for (long b0 = 0; b0 < B; b0 += kBlock) {
    const long b1 = std::min(B, b0 + kBlock);
    int c = 0;
    for (; c + VL <= n; c += VL) {
      vf s = {};
      for (long b = b0; b < b1; ++b) s += ld(x + b * C + c);
      for (int k = 0; k < VL; ++k) acc[c + k] += s[k];
    }
    for (; c < n; ++c) {
      float s = 0.f;
      for (long b = b0; b < b1; ++b) s += x[b * C + c];
      acc[c] += s;
    }
  }
  for (int c = 0; c < n; ++c) y[c] = float(acc[c]);
}

// y = sum of x[0:B) (C == 1: reducing the trailing axes).
float sum_contiguous(const float* x, long B) {
  double acc = 0;
  for (long b0 = 0; b0 < B; b0 += kBlock * VL) {
    const long b1 = std::min(B, b0 + kBlock * VL);
    vf s = {};
    long b = b0;
    for (; b + VL <= b1; b += VL) s += ld(x + b);
    float t = 0.f;
    for (; b < b1; ++b) t += x[b];
    for (int k = 0; k < VL; ++k) t += s[k];
    acc += t;
  }
  return float(acc);
}

}  // namespace

void sum_axes(const float* x, long A, long B, long C, float* y) {
  if (C == 1) {
    if (B == 1) { std::memcpy(y, x, sizeof(float) * size_t(A)); return; }
    // Tasks of whole rows, ~16K floats each: a task per row costs more than short rows do
    // (a 1x1 conv weight's sum over [kh, kw] is 65536 rows of one float).
    const long rows = std::max(1L, 16384 / B), tasks = (A + rows - 1) / rows;
    parallel_for(int(tasks), [&](int t, int) {
      for (long a = t * rows; a < std::min(A, (t + 1) * rows); ++a) y[a] = sum_contiguous(x + a * B, B);
    }, double(A) * B);
    return;
  }
  // Tasks: (a, a chunk of 4 vectors of channels): every task owns its outputs.
  const long chunks = (C + 4 * VL - 1) / (4 * VL);
  parallel_for(int(A * chunks), [&](int t, int) {
    const long a = t / chunks, c0 = (t % chunks) * 4 * VL;
    sum_rows(x + a * B * C + c0, B, C, int(std::min<long>(4 * VL, C - c0)), y + a * C + c0);
  }, double(A) * B * C);
}

}  // namespace sg3
