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
// The first n (< VL) lanes only: a channel tail, never reading or writing past it.
inline vf ldn(const float* p, int n) { vf v = {}; std::memcpy(&v, p, sizeof(float) * n); return v; }
inline void stn(float* p, vf v, int n) { std::memcpy(p, &v, sizeof(float) * n); }

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

namespace {

constexpr int LB = 8;  // output pixels per register block

// One spatial axis of the correlation: sizes, and the float distance between neighbouring
// pixels along it (C along W, W*C along H, in NHWC); tap_mult is the tap index step (HWIO).
struct Axis {
  int stride, pad, dil, in_size, out_size, taps, tap_mult;
  size_t in_step, out_step;
};

// One line of outputs along axis `a`, at output coordinate `oo` of the other axis `o`, for the
// channels [c0, c0 + width) (in, w and out already offset by c0) of a mult-1 correlation
//   out[.., oa, ..] = sum_{fo, fa} in[io(oo, fo), ia(oa, fa)] * w[tap(fa, fo)]
// with the taps reversed on both axes when `flip`. Blocked as LB outputs along `a` x VL channels
// in registers: each filter vector is loaded once per block, each input vector feeds up to
// LB outputs' worth of taps from L1.
template <bool kPartial>
void direct_line(const Axis& a, const Axis& o, int oo, const float* in, const float* w, size_t wstep, bool flip,
                 float* out, int width) {
  auto load = [&](const float* p) { return kPartial ? ldn(p, width) : ld(p); };
  for (int oa0 = 0; oa0 < a.out_size; oa0 += LB) {
    const int nb = std::min(LB, a.out_size - oa0);
    vf acc[LB];
#pragma GCC unroll 8
    for (int j = 0; j < LB; ++j) acc[j] = vf{};
    for (int fo = 0; fo < o.taps; ++fo) {
      const int io = in_coord(oo, fo, o.stride, o.pad, o.dil, o.in_size);
      if (io < 0) continue;
      const float* line = in + size_t(io) * o.in_step;
      for (int fa = 0; fa < a.taps; ++fa) {
        const int tap = (flip ? a.taps - 1 - fa : fa) * a.tap_mult + (flip ? o.taps - 1 - fo : fo) * o.tap_mult;
        const vf wv = load(w + size_t(tap) * wstep);
        const int i0 = oa0 * a.stride - a.pad + fa * a.dil;
        if (nb == LB && i0 >= 0 && i0 + (LB - 1) * a.stride < a.in_size) {
#pragma GCC unroll 8
          for (int j = 0; j < LB; ++j) acc[j] += load(line + size_t(i0 + j * a.stride) * a.in_step) * wv;
        } else {
#pragma GCC unroll 8
          for (int j = 0; j < LB; ++j) {
            const int i = i0 + j * a.stride;
            if (j < nb && i >= 0 && i < a.in_size) acc[j] += load(line + size_t(i) * a.in_step) * wv;
          }
        }
      }
    }
#pragma GCC unroll 8
    for (int j = 0; j < LB; ++j) {
      if (j >= nb) break;
      float* p = out + size_t(oa0 + j) * a.out_step;
      if (kPartial) stn(p, acc[j], width); else st(p, acc[j]);
    }
  }
}

// The mult-1 correlation over all lines and channels, for `batch` images of in_batch/out_batch
// floats each (C channels). Lines run along the axis with more taps, so that a 1-D FIR pass
// (1xK or Kx1) reuses each loaded input vector for up to LB outputs.
void direct_axes(const Axis& ax_h, const Axis& ax_w, int batch, size_t in_batch, size_t out_batch, size_t C,
                 const float* in, const float* w, bool flip, float* out) {
  const bool along_w = ax_w.taps >= ax_h.taps;
  const Axis &a = along_w ? ax_w : ax_h, &o = along_w ? ax_h : ax_w;
  parallel_for(batch * o.out_size, [&](int task, int) {
    const int b = task / o.out_size, oo = task % o.out_size;
    const float* in_b = in + size_t(b) * in_batch;
    float* out_line = out + size_t(b) * out_batch + size_t(oo) * o.out_step;
    size_t c0 = 0;
    for (; c0 + VL <= C; c0 += VL) direct_line<false>(a, o, oo, in_b + c0, w + c0, C, flip, out_line + c0, VL);
    if (c0 < C) direct_line<true>(a, o, oo, in_b + c0, w + c0, C, flip, out_line + c0, int(C - c0));
  }, double(batch) * ax_h.out_size * ax_w.out_size * C * ax_h.taps * ax_w.taps);
}

void direct(const ConvGeom& g, const float* in, const float* w, float* out) {
  const size_t C = g.in_c;
  const Axis ax_w{g.stride_w, g.pad_left, g.dil_w, g.in_w, g.out_w, g.f_w, 1, C, C};
  const Axis ax_h{g.stride_h, g.pad_top, g.dil_h, g.in_h, g.out_h, g.f_h, g.f_w, g.in_w * C, g.out_w * C};
  direct_axes(ax_h, ax_w, g.batch, size_t(g.in_h) * g.in_w * C, size_t(g.out_h) * g.out_w * C, C, in, w, false, out);
}

// One axis of a stride phase of the input gradient (see depthwise_backprop_input): the input
// pixels i = i0 + j*stride, j < n, with (i + pad) % stride == q, read dy at o = j + c - k through
// the taps f = q + k*stride, k < taps; as a correlation over k reversed, its pad is (taps-1)*dil - c.
struct Phase { int i0, n, taps, c; };

Phase phase_of(int q, int stride, int pad, int dil, int in_size, int f) {
  Phase p{};
  p.i0 = ((q - pad) % stride + stride) % stride;
  p.n = p.i0 < in_size ? (in_size - p.i0 + stride - 1) / stride : 0;
  p.taps = q < f ? (f - q + stride - 1) / stride : 0;
  p.c = stride == 1 ? pad : (p.i0 + pad - q) / stride;  // stride > 1 comes with dil 1 (tfjs)
  (void)dil;
  return p;
}

// The mult-1 input gradient as one blocked correlation per stride phase: dx pixels of a phase
// take dy with the sub-filter w[qy::stride_h, qx::stride_w], reversed, at stride 1 (so a stride-2
// gradient does no work on the zeros a transposed convolution would insert).
void backprop_input_phases(const ConvGeom& g, const float* dy, const float* w, float* dx) {
  const size_t C = g.in_c;
  for (int qy = 0; qy < g.stride_h; ++qy) {
    for (int qx = 0; qx < g.stride_w; ++qx) {
      const Phase ph = phase_of(qy, g.stride_h, g.pad_top, g.dil_h, g.in_h, g.f_h);
      const Phase pw = phase_of(qx, g.stride_w, g.pad_left, g.dil_w, g.in_w, g.f_w);
      if (ph.n == 0 || pw.n == 0) continue;
      float* out = dx + (size_t(ph.i0) * g.in_w + pw.i0) * C;
      if (ph.taps == 0 || pw.taps == 0) {  // no tap reaches these pixels (stride > kernel)
        for (int b = 0; b < g.batch; ++b)
          for (int j = 0; j < ph.n; ++j)
            for (int i = 0; i < pw.n; ++i)
              std::fill_n(out + size_t(b) * g.in_h * g.in_w * C + (size_t(j) * g.stride_h * g.in_w + size_t(i) * g.stride_w) * C, C, 0.0f);
        continue;
      }
      const Axis ax_h{1, (ph.taps - 1) * g.dil_h - ph.c, g.dil_h, g.out_h, ph.n, ph.taps, g.stride_h * g.f_w,
                      size_t(g.out_w) * C, size_t(g.stride_h) * g.in_w * C};
      const Axis ax_w{1, (pw.taps - 1) * g.dil_w - pw.c, g.dil_w, g.out_w, pw.n, pw.taps, g.stride_w, C, size_t(g.stride_w) * C};
      direct_axes(ax_h, ax_w, g.batch, size_t(g.out_h) * g.out_w * C, size_t(g.in_h) * g.in_w * C, C, dy,
                  w + (size_t(qy) * g.f_w + qx) * C, true, out);
    }
  }
}

}  // namespace

void depthwise_forward(const ConvGeom& g, const float* x, const float* w, float* y) {
  if (g.mult == 1) return direct(g, x, w, y);
  const int C = g.in_c, M = g.mult, OC = g.out_c;
  parallel_for(g.batch * g.out_h, [&](int row, int) {
    const int b = row / g.out_h, oh = row % g.out_h;
    for (int ow = 0; ow < g.out_w; ++ow) {
      float* out = y + ((size_t(b) * g.out_h + oh) * g.out_w + ow) * OC;
      for (int j = 0; j < OC; ++j) {
        float s = 0.0f;  // taps in (fh, fw) order
        for (int fh = 0; fh < g.f_h; ++fh) {
          const int ih = in_coord(oh, fh, g.stride_h, g.pad_top, g.dil_h, g.in_h);
          if (ih < 0) continue;
          for (int fw = 0; fw < g.f_w; ++fw) {
            const int iw = in_coord(ow, fw, g.stride_w, g.pad_left, g.dil_w, g.in_w);
            if (iw >= 0) s += pixel(x, b, ih, iw, g.in_h, g.in_w, C)[j / M] * w[(size_t(fh) * g.f_w + fw) * OC + j];
          }
        }
        out[j] = s;
      }
    }
  }, double(g.batch) * g.out_h * g.out_w * g.out_c * g.f_h * g.f_w);
}

void depthwise_backprop_input(const ConvGeom& g, const float* dy, const float* w, float* dx) {
  // Strides > 1 come with dilation 1 (tfjs); a stride-1 phase handles any dilation.
  const bool dilated_stride = (g.stride_h > 1 && g.dil_h > 1) || (g.stride_w > 1 && g.dil_w > 1);
  if (g.mult == 1 && !dilated_stride) return backprop_input_phases(g, dy, w, dx);
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
  }, double(g.batch) * g.out_h * g.out_w * g.out_c * g.f_h * g.f_w);
}

namespace {

// acc[t][j] += sum over ow of x[b, ih(oh,fh), iw(ow,fw), c] * dy[b, oh, ow, j] for one output row.
// Four channel vectors at a time: four independent FMA chains (one chain would wait on the FMA
// latency at every pixel), each summing its channels over ow in order.
void filter_grad_row(const ConvGeom& g, const float* x, const float* dy, int b, int oh, float* acc) {
  const int M = g.mult, OC = g.out_c;
  const float* dy_row = dy + (size_t(b) * g.out_h + oh) * g.out_w * OC;
  for (int fh = 0; fh < g.f_h; ++fh) {
    const int ih = in_coord(oh, fh, g.stride_h, g.pad_top, g.dil_h, g.in_h);
    if (ih < 0) continue;
    const float* x_row = x + (size_t(b) * g.in_h + ih) * g.in_w * g.in_c;
    for (int fw = 0; fw < g.f_w; ++fw) {
      float* a = acc + (size_t(fh) * g.f_w + fw) * OC;
      // The output pixels whose tap (fh, fw) lands inside the row: a contiguous range of ow.
      int ow_begin = 0, ow_end = g.out_w;
      while (ow_begin < ow_end && in_coord(ow_begin, fw, g.stride_w, g.pad_left, g.dil_w, g.in_w) < 0) ++ow_begin;
      while (ow_end > ow_begin && in_coord(ow_end - 1, fw, g.stride_w, g.pad_left, g.dil_w, g.in_w) < 0) --ow_end;
      const int iw_step = g.stride_w;
      const int iw_begin = ow_begin * g.stride_w - g.pad_left + fw * g.dil_w;
      int c = 0;
      if (M == 1) {
        for (; c + 4 * VL <= OC; c += 4 * VL) {
          vf s0 = {}, s1 = {}, s2 = {}, s3 = {};
          for (int ow = ow_begin, iw = iw_begin; ow < ow_end; ++ow, iw += iw_step) {
            const float *xp = x_row + size_t(iw) * OC + c, *dp = dy_row + size_t(ow) * OC + c;
            s0 += ld(xp) * ld(dp);
            s1 += ld(xp + VL) * ld(dp + VL);
            s2 += ld(xp + 2 * VL) * ld(dp + 2 * VL);
            s3 += ld(xp + 3 * VL) * ld(dp + 3 * VL);
          }
          st(a + c, ld(a + c) + s0); st(a + c + VL, ld(a + c + VL) + s1);
          st(a + c + 2 * VL, ld(a + c + 2 * VL) + s2); st(a + c + 3 * VL, ld(a + c + 3 * VL) + s3);
        }
        for (; c < OC; c += VL) {
          const int n = std::min(VL, OC - c);
          vf s = {};
          for (int ow = ow_begin, iw = iw_begin; ow < ow_end; ++ow, iw += iw_step)
            s += ldn(x_row + size_t(iw) * OC + c, n) * ldn(dy_row + size_t(ow) * OC + c, n);
          stn(a + c, ldn(a + c, n) + s, n);
        }
        continue;
      }
      for (int j = 0; j < OC; ++j) {
        float s = 0.0f;
        for (int ow = ow_begin, iw = iw_begin; ow < ow_end; ++ow, iw += iw_step) s += x_row[size_t(iw) * g.in_c + j / M] * dy_row[size_t(ow) * OC + j];
        a[j] += s;
      }
    }
  }
}

}  // namespace

void depthwise_backprop_filter(const ConvGeom& g, const float* x, const float* dy, float* dw) {
  const int rows = g.batch * g.out_h, size = g.f_h * g.f_w * g.out_c;
  const double work = double(rows) * g.out_w * g.out_c * g.f_h * g.f_w;
  const int parts = std::max(1, std::min(threads_for(work), rows));
  std::vector<float> partial(size_t(parts) * size, 0.0f);
  const int per_part = (rows + parts - 1) / parts;
  parallel_for(parts, [&](int part, int) {
    float* acc = partial.data() + size_t(part) * size;
    for (int r = part * per_part; r < std::min(rows, (part + 1) * per_part); ++r)
      filter_grad_row(g, x, dy, r / g.out_h, r % g.out_h, acc);
  }, work);
  std::copy(partial.begin(), partial.begin() + size, dw);
  for (int part = 1; part < parts; ++part)
    for (int i = 0; i < size; ++i) dw[i] += partial[size_t(part) * size + i];
}

}  // namespace sg3
