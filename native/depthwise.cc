// Depthwise 2-D convolution, NHWC x [fh, fw, C, mult], as direct loops vectorised over channels
// (channels are contiguous in NHWC). Output channel j = c*mult + q reads input channel c.
//
//  forward:         y[b,oh,ow,j]  = sum_{fh,fw} x[b, ih, iw, c] * w[fh,fw,c,q]
//  input gradient:  dx[b,ih,iw,c] = sum_{fh,fw,q} dy[b, oh, ow, j] * w[fh,fw,c,q]
//  filter gradient: dw[fh,fw,c,q] = sum_{b,oh,ow} x[b, ih, iw, c] * dy[b, oh, ow, j]
// with ih = oh*stride_h - pad_top + fh*dil_h (same for w). Taps are summed in (fh, fw) order;
// the filter gradient sums each output row first, then rows in order within a thread's share,
// then the shares in thread order (deterministic for a given SG3_THREADS).
#include <algorithm>
#include <cstring>
#include <vector>

#include "sg3native.h"

namespace sg3 {
namespace {

typedef float vf __attribute__((vector_size(64)));  // 16 floats: one zmm, or two ymm
constexpr int VL = 16;
inline vf ld(const float* p) { vf v; std::memcpy(&v, p, sizeof v); return v; }
inline void st(float* p, vf v) { std::memcpy(p, &v, sizeof v); }

// out[0:C) = sum_i a[i][0:C) * b[i][0:C) over the n (pointer pair) terms, in order.
void dot_taps(int C, int n, const float* const* a, const float* const* b, float* out) {
  int c = 0;
  for (; c + 4 * VL <= C; c += 4 * VL) {
    vf s0 = {}, s1 = {}, s2 = {}, s3 = {};
    for (int i = 0; i < n; ++i) {
      const float *x = a[i] + c, *w = b[i] + c;
      s0 += ld(x) * ld(w);
      s1 += ld(x + VL) * ld(w + VL);
      s2 += ld(x + 2 * VL) * ld(w + 2 * VL);
      s3 += ld(x + 3 * VL) * ld(w + 3 * VL);
    }
    st(out + c, s0); st(out + c + VL, s1); st(out + c + 2 * VL, s2); st(out + c + 3 * VL, s3);
  }
  for (; c + VL <= C; c += VL) {
    vf s = {};
    for (int i = 0; i < n; ++i) s += ld(a[i] + c) * ld(b[i] + c);
    st(out + c, s);
  }
  for (; c < C; ++c) {
    float s = 0.0f;
    for (int i = 0; i < n; ++i) s += a[i][c] * b[i][c];
    out[c] = s;
  }
}

inline const float* pixel(const float* t, int b, int h, int w, int H, int W, int C) {
  return t + ((size_t(b) * H + h) * W + w) * C;
}

// Input coordinate of output coordinate o under tap f, or -1 when it falls in the padding.
inline int in_coord(int o, int f, int stride, int pad, int dil, int size) {
  const int i = o * stride - pad + f * dil;
  return i >= 0 && i < size ? i : -1;
}

// Output coordinate reaching input coordinate i through tap f, or -1 when none does.
inline int out_coord(int i, int f, int stride, int pad, int dil, int size) {
  const int n = i + pad - f * dil;
  if (n < 0 || n % stride) return -1;
  const int o = n / stride;
  return o < size ? o : -1;
}

}  // namespace

void depthwise_forward(const ConvGeom& g, const float* x, const float* w, float* y) {
  const int C = g.in_c, M = g.mult, OC = g.out_c;
  parallel_for(g.batch * g.out_h, [&](int row, int) {
    const int b = row / g.out_h, oh = row % g.out_h;
    thread_local std::vector<const float*> xs, ws;
    xs.resize(size_t(g.f_h) * g.f_w);
    ws.resize(size_t(g.f_h) * g.f_w);
    for (int ow = 0; ow < g.out_w; ++ow) {
      int n = 0;  // the taps inside the image, in (fh, fw) order
      for (int fh = 0; fh < g.f_h; ++fh) {
        const int ih = in_coord(oh, fh, g.stride_h, g.pad_top, g.dil_h, g.in_h);
        if (ih < 0) continue;
        for (int fw = 0; fw < g.f_w; ++fw) {
          const int iw = in_coord(ow, fw, g.stride_w, g.pad_left, g.dil_w, g.in_w);
          if (iw < 0) continue;
          xs[n] = pixel(x, b, ih, iw, g.in_h, g.in_w, C);
          ws[n++] = w + (size_t(fh) * g.f_w + fw) * OC;
        }
      }
      float* out = y + ((size_t(b) * g.out_h + oh) * g.out_w + ow) * OC;
      if (M == 1) { dot_taps(C, n, xs.data(), ws.data(), out); continue; }
      for (int j = 0; j < OC; ++j) {
        float s = 0.0f;
        for (int i = 0; i < n; ++i) s += xs[i][j / M] * ws[i][j];
        out[j] = s;
      }
    }
  });
}

void depthwise_backprop_input(const ConvGeom& g, const float* dy, const float* w, float* dx) {
  const int C = g.in_c, M = g.mult, OC = g.out_c;
  parallel_for(g.batch * g.in_h, [&](int row, int) {
    const int b = row / g.in_h, ih = row % g.in_h;
    thread_local std::vector<const float*> ds, ws;
    ds.resize(size_t(g.f_h) * g.f_w);
    ws.resize(size_t(g.f_h) * g.f_w);
    for (int iw = 0; iw < g.in_w; ++iw) {
      int n = 0;  // the (output pixel, tap) pairs that read this input pixel
      for (int fh = 0; fh < g.f_h; ++fh) {
        const int oh = out_coord(ih, fh, g.stride_h, g.pad_top, g.dil_h, g.out_h);
        if (oh < 0) continue;
        for (int fw = 0; fw < g.f_w; ++fw) {
          const int ow = out_coord(iw, fw, g.stride_w, g.pad_left, g.dil_w, g.out_w);
          if (ow < 0) continue;
          ds[n] = pixel(dy, b, oh, ow, g.out_h, g.out_w, OC);
          ws[n++] = w + (size_t(fh) * g.f_w + fw) * OC;
        }
      }
      float* out = dx + ((size_t(b) * g.in_h + ih) * g.in_w + iw) * C;
      if (M == 1) { dot_taps(C, n, ds.data(), ws.data(), out); continue; }
      for (int c = 0; c < C; ++c) {
        float s = 0.0f;
        for (int i = 0; i < n; ++i)
          for (int q = 0; q < M; ++q) s += ds[i][c * M + q] * ws[i][c * M + q];
        out[c] = s;
      }
    }
  });
}

namespace {

// acc[t][j] += sum over ow of x[b, ih(oh,fh), iw(ow,fw), c] * dy[b, oh, ow, j] for one output row.
void filter_grad_row(const ConvGeom& g, const float* x, const float* dy, int b, int oh, float* acc) {
  const int M = g.mult, OC = g.out_c;
  for (int fh = 0; fh < g.f_h; ++fh) {
    const int ih = in_coord(oh, fh, g.stride_h, g.pad_top, g.dil_h, g.in_h);
    if (ih < 0) continue;
    for (int fw = 0; fw < g.f_w; ++fw) {
      float* a = acc + (size_t(fh) * g.f_w + fw) * OC;
      int c = 0;
      if (M == 1) {
        for (; c + VL <= OC; c += VL) {  // the row's sum stays in a register
          vf s = {};
          for (int ow = 0; ow < g.out_w; ++ow) {
            const int iw = in_coord(ow, fw, g.stride_w, g.pad_left, g.dil_w, g.in_w);
            if (iw < 0) continue;
            s += ld(pixel(x, b, ih, iw, g.in_h, g.in_w, g.in_c) + c) * ld(pixel(dy, b, oh, ow, g.out_h, g.out_w, OC) + c);
          }
          st(a + c, ld(a + c) + s);
        }
      }
      for (; c < OC; ++c) {
        float s = 0.0f;
        for (int ow = 0; ow < g.out_w; ++ow) {
          const int iw = in_coord(ow, fw, g.stride_w, g.pad_left, g.dil_w, g.in_w);
          if (iw < 0) continue;
          s += pixel(x, b, ih, iw, g.in_h, g.in_w, g.in_c)[c / M] * pixel(dy, b, oh, ow, g.out_h, g.out_w, OC)[c];
        }
        a[c] += s;
      }
    }
  }
}

}  // namespace

void depthwise_backprop_filter(const ConvGeom& g, const float* x, const float* dy, float* dw) {
  const int rows = g.batch * g.out_h, size = g.f_h * g.f_w * g.out_c;
  const int parts = std::max(1, std::min(pool_size(), rows));
  std::vector<float> partial(size_t(parts) * size, 0.0f);
  const int per_part = (rows + parts - 1) / parts;
  parallel_for(parts, [&](int part, int) {
    float* acc = partial.data() + size_t(part) * size;
    for (int r = part * per_part; r < std::min(rows, (part + 1) * per_part); ++r)
      filter_grad_row(g, x, dy, r / g.out_h, r % g.out_h, acc);
  });
  std::copy(partial.begin(), partial.begin() + size, dw);
  for (int part = 1; part < parts; ++part)
    for (int i = 0; i < size; ++i) dw[i] += partial[size_t(part) * size + i];
}

}  // namespace sg3
