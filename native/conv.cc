// Dense 2-D convolution, NHWC x HWIO, as indirect GEMMs (no im2col buffer: each GEMM row is a
// list of pointers into the input, one per tap, or nullptr for a tap in the zero padding).
//
//  forward:         y[m, co]      = sum_{tap, ci} x[pixel(m, tap), ci] * w[tap, ci, co]
//  input gradient:  dx[p, ci]     = sum_{tap, co} dy[pixel'(p, tap), co] * w[tap, ci, co], per
//                   stride phase: only the taps that reach a phase's pixels are in its GEMM,
//                   so a stride-2 gradient does no work on the zeros a transposed conv inserts
//  filter gradient: dw[tap, ci, co] = sum_m x[pixel(m, tap), ci] * dy[m, co]  (reduce_gemm)
#include <algorithm>
#include <vector>

#include "sg3native.h"

namespace sg3 {
namespace {

// Output row m -> (batch, oh, ow) and the input pixel under each tap (nullptr in the padding).
struct ForwardGather {
  const ConvGeom& g;
  const float* x;
  void operator()(int m, const float** a, int stride) const {
    const int ow = m % g.out_w, oh = (m / g.out_w) % g.out_h, b = m / (g.out_w * g.out_h);
    for (int fh = 0; fh < g.f_h; ++fh) {
      const int ih = oh * g.stride_h - g.pad_top + fh * g.dil_h;
      const bool row_ok = ih >= 0 && ih < g.in_h;
      for (int fw = 0; fw < g.f_w; ++fw) {
        const int iw = ow * g.stride_w - g.pad_left + fw * g.dil_w;
        const bool ok = row_ok && iw >= 0 && iw < g.in_w;
        a[(fh * g.f_w + fw) * stride] = ok ? x + ((size_t(b) * g.in_h + ih) * g.in_w + iw) * g.in_c : nullptr;
      }
    }
  }
  const float* tap(int m, int t) const {
    const int ow = m % g.out_w, oh = (m / g.out_w) % g.out_h, b = m / (g.out_w * g.out_h);
    const int ih = oh * g.stride_h - g.pad_top + (t / g.f_w) * g.dil_h;
    const int iw = ow * g.stride_w - g.pad_left + (t % g.f_w) * g.dil_w;
    if (ih < 0 || ih >= g.in_h || iw < 0 || iw >= g.in_w) return nullptr;
    return x + ((size_t(b) * g.in_h + ih) * g.in_w + iw) * g.in_c;
  }
};

int positive_mod(int a, int n) { return ((a % n) + n) % n; }

// One stride phase of the input gradient: input pixels (ih, iw) with (ih + pad_top) % stride_h == qy
// and (iw + pad_left) % stride_w == qx; their taps are fh = qy, qy + stride_h, ... (same for fw).
void backprop_input_phase(const ConvGeom& g, const float* dy, const float* w, float* dx, int qy, int qx) {
  const int ih0 = positive_mod(qy - g.pad_top, g.stride_h), iw0 = positive_mod(qx - g.pad_left, g.stride_w);
  if (ih0 >= g.in_h || iw0 >= g.in_w) return;
  const int nh = (g.in_h - ih0 + g.stride_h - 1) / g.stride_h, nw = (g.in_w - iw0 + g.stride_w - 1) / g.stride_w;
  std::vector<int> taps_h, taps_w;  // fh, fw of this phase
  for (int fh = qy; fh < g.f_h; fh += g.stride_h) taps_h.push_back(fh);
  for (int fw = qx; fw < g.f_w; fw += g.stride_w) taps_w.push_back(fw);
  const int ntaps = int(taps_h.size() * taps_w.size()), M = g.batch * nh * nw;
  auto dx_row = [&](int m, int& b, int& ih, int& iw) {
    iw = iw0 + (m % nw) * g.stride_w;
    ih = ih0 + ((m / nw) % nh) * g.stride_h;
    b = m / (nw * nh);
    return dx + ((size_t(b) * g.in_h + ih) * g.in_w + iw) * g.in_c;
  };
  if (ntaps == 0) {  // no tap reaches these pixels (stride > kernel): their gradient is zero
    for (int m = 0; m < M; ++m) {
      int b, ih, iw;
      float* row = dx_row(m, b, ih, iw);
      std::fill(row, row + g.in_c, 0.0f);
    }
    return;
  }
  // B[(tap, co), ci] = w[fh, fw, ci, co]: the filter transposed per tap.
  PackedB pb;
  pack_b(pb, ntaps * g.out_c, g.in_c, [&](int k, int j0, int j1, float* dst) {
    const int tap = k / g.out_c, co = k % g.out_c;
    const int fh = taps_h[tap / taps_w.size()], fw = taps_w[tap % taps_w.size()];
    const float* src = w + (size_t(fh) * g.f_w + fw) * g.in_c * g.out_c + co;
    for (int j = j0; j < j1; ++j) dst[j - j0] = src[size_t(j) * g.out_c];
  });
  IndirectRows rows{M, g.in_c, ntaps, g.out_c, [&](int m, const float** a, int stride, float** c) {
    int b, ih, iw;
    *c = dx_row(m, b, ih, iw);
    int i = 0;
    for (int fh : taps_h) {
      const int oh = (ih + g.pad_top - fh) / g.stride_h;  // exact: the phase makes it divisible
      const bool row_ok = ih + g.pad_top - fh >= 0 && oh < g.out_h;
      for (int fw : taps_w) {
        const int ow = (iw + g.pad_left - fw) / g.stride_w;
        const bool ok = row_ok && iw + g.pad_left - fw >= 0 && ow < g.out_w;
        a[(i++) * stride] = ok ? dy + ((size_t(b) * g.out_h + oh) * g.out_w + ow) * g.out_c : nullptr;
      }
    }
  }};
  igemm(rows, pb);
}

}  // namespace

void conv2d_forward(const ConvGeom& g, const float* x, const float* w, float* y) {
  const int ntaps = g.f_h * g.f_w, K = ntaps * g.in_c;
  PackedB pb;  // B = w as [K = (fh, fw, ci), N = co], already row-major
  pack_b(pb, K, g.out_c, [&](int k, int j0, int j1, float* dst) {
    std::copy(w + size_t(k) * g.out_c + j0, w + size_t(k) * g.out_c + j1, dst);
  });
  ForwardGather gather{g, x};
  IndirectRows rows{g.batch * g.out_h * g.out_w, g.out_c, ntaps, g.in_c,
                    [&](int m, const float** a, int stride, float** c) {
                      gather(m, a, stride);
                      *c = y + size_t(m) * g.out_c;
                    }};
  igemm(rows, pb);
}

void conv2d_backprop_input(const ConvGeom& g, const float* dy, const float* w, float* dx) {
  for (int qy = 0; qy < g.stride_h; ++qy)
    for (int qx = 0; qx < g.stride_w; ++qx) backprop_input_phase(g, dy, w, dx, qy, qx);
}

void conv2d_backprop_filter(const ConvGeom& g, const float* x, const float* dy, float* dw) {
  const int ntaps = g.f_h * g.f_w, M = g.batch * g.out_h * g.out_w;
  const bool pointwise = ntaps == 1 && g.stride_h == 1 && g.stride_w == 1 && g.pad_top == 0 && g.pad_left == 0 &&
                         g.out_h == g.in_h && g.out_w == g.in_w;
  if (pointwise && g.out_c < 16 && g.in_c >= 32) {
    // Few output channels (a ToRGB layer): most of a register panel over out_c would be padding,
    // so compute dw^T[co, ci] = sum_m dy[m, co] * x[m, ci] (x rows are dy rows here), then transpose.
    std::vector<float> dwt(size_t(g.out_c) * g.in_c);
    reduce_gemm(ReduceProblem{M, g.in_c, 1, g.out_c, [&](int m, int) { return dy + size_t(m) * g.out_c; },
                              x, g.in_c, dwt.data()});
    for (int co = 0; co < g.out_c; ++co)
      for (int ci = 0; ci < g.in_c; ++ci) dw[size_t(ci) * g.out_c + co] = dwt[size_t(co) * g.in_c + ci];
    return;
  }
  ForwardGather gather{g, x};
  reduce_gemm(ReduceProblem{M, g.out_c, ntaps, g.in_c, [&](int m, int t) { return gather.tap(m, t); }, dy, g.out_c, dw});
}

void bias_activation(float* y, const float* bias, size_t rows, int channels, int act, float alpha) {
  const size_t chunk = std::max<size_t>(1, (size_t(1) << 16) / std::max(channels, 1));  // ~64K floats per task
  const int tasks = int((rows + chunk - 1) / chunk);
  parallel_for(tasks, [&](int task, int) {
    for (size_t r = task * chunk, r1 = std::min(rows, r + chunk); r < r1; ++r) {
      float* row = y + r * channels;
      if (bias) for (int c = 0; c < channels; ++c) row[c] += bias[c];
      switch (act) {
        case 1: for (int c = 0; c < channels; ++c) row[c] = row[c] < 0.0f ? 0.0f : row[c]; break;
        case 2: for (int c = 0; c < channels; ++c) row[c] = std::min(std::max(row[c], 0.0f), 6.0f); break;
        case 3: for (int c = 0; c < channels; ++c) row[c] = row[c] < 0.0f ? alpha * row[c] : row[c]; break;
        default: break;
      }
    }
  }, double(rows) * channels);
}

}  // namespace sg3
