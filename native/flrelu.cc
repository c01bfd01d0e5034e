// Fused filtered leaky ReLU (StyleGAN3's filtered_lrelu; official torch_utils/ops/filtered_lrelu.py,
// reference order) over NHWC float32: the forward pass, its input gradient, and the "masked" linear
// forward (the activation replaced by its saved derivative) that a second-order gradient needs.
//
// One task = one image n and one block of CB channels; everything between the input and the output
// stays in per-thread scratch (the official CUDA kernel's tiling idea: no full-size intermediate
// ever reaches the tfjs heap, only one byte per upsampled element saying how the activation went):
//   1. U1[h] = xup(x[n, h] + b)                 x-pass of the up filter on each input row   [H, Tw]
//   2. A[t]  = sum_j yup[t][j] * U1[s0 + j]      y-pass as a combination of rows            [Tw]
//      A[t]  = clamp(lrelu(A[t], slope) * gain)  code 0: > 0, 1: <= 0, 2: clamped (0 gradient)
//   3. separable: B[t] = xdown(A[t]); Y[o] = sum_j ydown[o][j] * B[s0 + j]
//      radial:    Y[o] += rows[a](A[o*dy + a]) for every row a of the 2-D down filter
// Every 1-D pass is a banded matrix given by the caller as one (first input, count, coefficient
// offset) triple per output: up-sampling (zero insertion, padding, gain) and down-sampling (stride)
// are folded into those tables, so no zero is ever multiplied. The gradient runs the same passes
// transposed (scatter form, dx[s0 + j] += c * dy[o]) with the codes as the activation's derivative.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include "sg3native.h"

namespace sg3 {
namespace {

typedef float vf __attribute__((vector_size(64)));  // 16 floats
constexpr int VL = 16;
inline vf ld(const float* p) { vf v; std::memcpy(&v, p, sizeof v); return v; }
inline void st(float* p, vf v) { std::memcpy(p, &v, sizeof v); }

// y[0:len) (+)= a * x[0:len); len is a multiple of VL.
inline void axpy(float* __restrict y, const float* __restrict x, float a, size_t len, bool assign) {
  const vf av = vf{} + a;
  if (assign)
    for (size_t k = 0; k < len; k += VL) st(y + k, av * ld(x + k));
  else
    for (size_t k = 0; k < len; k += VL) st(y + k, ld(y + k) + av * ld(x + k));
}

// out[o] (+)= sum_j coef[off + j] * in[s0 + j] for one output o of pass P (pixels of CB floats).
template <int CB>
inline void gather(const FlPass& P, const float* coef, int o, const float* in, float* out, bool add) {
  const int32_t* e = P.tab + 3 * o;
  vf acc[CB / VL] = {};
  for (int j = 0; j < e[1]; ++j) {
    const vf c = vf{} + coef[e[2] + j];
    const float* src = in + size_t(e[0] + j) * CB;
    for (int v = 0; v < CB / VL; ++v) acc[v] += c * ld(src + v * VL);
  }
  for (int v = 0; v < CB / VL; ++v) st(out + v * VL, add ? ld(out + v * VL) + acc[v] : acc[v]);
}

// The transpose: in[s0 + j] += coef[off + j] * out[o].
template <int CB>
inline void scatter(const FlPass& P, const float* coef, int o, const float* out, float* in) {
  const int32_t* e = P.tab + 3 * o;
  vf g[CB / VL];
  for (int v = 0; v < CB / VL; ++v) g[v] = ld(out + v * VL);
  for (int j = 0; j < e[1]; ++j) {
    const vf c = vf{} + coef[e[2] + j];
    float* dst = in + size_t(e[0] + j) * CB;
    for (int v = 0; v < CB / VL; ++v) st(dst + v * VL, ld(dst + v * VL) + c * g[v]);
  }
}

// Row combination y[0:len) = sum_j coef * rows[s0 + j] (rows `len` floats apart).
inline void combine(const FlPass& P, const float* coef, int o, const float* rows, size_t len, float* y) {
  const int32_t* e = P.tab + 3 * o;
  if (e[1] == 0) { std::memset(y, 0, len * sizeof(float)); return; }
  for (int j = 0; j < e[1]; ++j) axpy(y, rows + size_t(e[0] + j) * len, coef[e[2] + j], len, j == 0);
}

// Copies cw channels of `npix` NHWC pixels (stride C) into CB-wide pixels, zero above cw, plus bias.
template <int CB>
void load_pixels(const float* src, int C, int cw, int npix, const float* bias, float* dst) {
  for (int p = 0; p < npix; ++p) {
    float* d = dst + size_t(p) * CB;
    const float* s = src + size_t(p) * C;
    for (int c = 0; c < cw; ++c) d[c] = s[c] + (bias ? bias[c] : 0.f);
    for (int c = cw; c < CB; ++c) d[c] = 0.f;
  }
}

template <int CB>
void store_pixels(const float* src, int C, int cw, int npix, float* dst) {
  for (int p = 0; p < npix; ++p) std::memcpy(dst + size_t(p) * C, src + size_t(p) * CB, cw * sizeof(float));
}

// Gradient factor of each code: gain * {1, slope, 0}.
struct Act {
  float gain, slope, clamp;  // clamp < 0: none
  float mult[4];
  explicit Act(const FlreluPlan& p) : gain(p.gain), slope(p.slope), clamp(p.clamp), mult{p.gain, p.gain * p.slope, 0.f, 0.f} {}
};

// Step 2's activation on one row a[Tw][CB]: writes the codes of the first cw channels (codes may
// be null: inference), or with `masked` applies the saved codes' factors instead (linear).
template <int CB>
void activate(const Act& f, float* a, int Tw, int cw, uint8_t* codes, int C, bool masked) {
  for (int m = 0; m < Tw; ++m) {
    float* v = a + size_t(m) * CB;
    uint8_t* code = codes ? codes + size_t(m) * C : nullptr;
    if (masked) {
      for (int c = 0; c < cw; ++c) v[c] *= f.mult[code[c]];
      continue;
    }
    for (int c = 0; c < CB; ++c) {
      const float x = v[c];
      float z = (x > 0.f ? x : x * f.slope) * f.gain;
      uint8_t k = x > 0.f ? 0 : 1;
      if (f.clamp >= 0.f && std::fabs(z) > f.clamp) { z = std::copysign(f.clamp, z); k = 2; }
      v[c] = z;
      if (code && c < cw) code[c] = k;
    }
  }
}

struct Scratch {
  std::vector<float> buf;
  float* get(size_t n) { if (buf.size() < n) buf.resize(n); return buf.data(); }
};
thread_local Scratch scratch;

template <int CB>
void forward_task(const FlreluPlan& p, int n, int c0, const float* x, const float* b, float* y, uint8_t* codes, bool masked) {
  const int cw = std::min(CB, p.C - c0);
  const size_t rowU = size_t(p.Tw) * CB, rowY = size_t(p.Wo) * CB;
  const size_t down = p.radial ? size_t(p.Ho) * rowY : size_t(p.Th) * rowY;
  float* xrow = scratch.get(size_t(p.W) * CB + size_t(p.H) * rowU + rowU + down);
  float* U1 = xrow + size_t(p.W) * CB;
  float* arow = U1 + size_t(p.H) * rowU;
  float* D = arow + rowU;  // separable: B [Th, Wo]; radial: the output accumulator [Ho, Wo]
  const Act act(p);
  for (int h = 0; h < p.H; ++h) {  // 1. x-pass of the up filter
    load_pixels<CB>(x + ((size_t(n) * p.H + h) * p.W) * p.C + c0, p.C, cw, p.W, b ? b + c0 : nullptr, xrow);
    for (int m = 0; m < p.Tw; ++m) gather<CB>(p.xup, p.coef, m, xrow, U1 + h * rowU + size_t(m) * CB, false);
  }
  if (p.radial) std::memset(D, 0, down * sizeof(float));
  for (int t = 0; t < p.Th; ++t) {  // 2. y-pass, activation, 3. down filter
    combine(p.yup, p.coef, t, U1, rowU, arow);
    activate<CB>(act, arow, p.Tw, cw, codes ? codes + ((size_t(n) * p.Th + t) * p.Tw) * p.C + c0 : nullptr, p.C, masked);
    if (!p.radial) {
      for (int o = 0; o < p.Wo; ++o) gather<CB>(p.xdown, p.coef, o, arow, D + t * rowY + size_t(o) * CB, false);
      continue;
    }
    for (int a = 0; a < int(p.rows.size()); ++a) {
      const int oy = (t - a) / p.dy;
      if (t < a || (t - a) % p.dy || oy >= p.Ho) continue;
      for (int o = 0; o < p.Wo; ++o) gather<CB>(p.rows[a], p.coef, o, arow, D + oy * rowY + size_t(o) * CB, true);
    }
  }
  float* yrow = arow;  // free again (rowU >= rowY)
  for (int o = 0; o < p.Ho; ++o) {
    const float* src = D + o * rowY;
    if (!p.radial) { combine(p.ydown, p.coef, o, D, rowY, yrow); src = yrow; }
    store_pixels<CB>(src, p.C, cw, p.Wo, y + ((size_t(n) * p.Ho + o) * p.Wo) * p.C + c0);
  }
}

template <int CB>
void backward_task(const FlreluPlan& p, int n, int c0, const float* dy, const uint8_t* codes, float* dx) {
  const int cw = std::min(CB, p.C - c0);
  const size_t rowU = size_t(p.Tw) * CB, rowY = size_t(p.Wo) * CB;
  const size_t down = p.radial ? size_t(p.Ho) * rowY : size_t(p.Th) * rowY;
  float* D = scratch.get(down + rowY + rowU + size_t(p.H) * rowU + size_t(p.W) * CB);
  float* dyrow = D + down;
  float* arow = dyrow + rowY;
  float* U1 = arow + rowU;
  float* xrow = U1 + size_t(p.H) * rowU;
  const Act act(p);
  const float* dyn = dy + size_t(n) * p.Ho * p.Wo * p.C + c0;
  if (p.radial) {
    load_pixels<CB>(dyn, p.C, cw, p.Ho * p.Wo, nullptr, D);  // dY itself, CB-wide
  } else {  // transposed y-pass of the down filter: dB[s0 + j] += c * dY[o]
    std::memset(D, 0, down * sizeof(float));
    for (int o = 0; o < p.Ho; ++o) {
      load_pixels<CB>(dyn + size_t(o) * p.Wo * p.C, p.C, cw, p.Wo, nullptr, dyrow);
      const int32_t* e = p.ydown.tab + 3 * o;
      for (int j = 0; j < e[1]; ++j) axpy(D + size_t(e[0] + j) * rowY, dyrow, p.coef[e[2] + j], rowY, false);
    }
  }
  std::memset(U1, 0, size_t(p.H) * rowU * sizeof(float));
  for (int t = 0; t < p.Th; ++t) {
    std::memset(arow, 0, rowU * sizeof(float));
    if (!p.radial) {
      for (int o = 0; o < p.Wo; ++o) scatter<CB>(p.xdown, p.coef, o, D + t * rowY + size_t(o) * CB, arow);
    } else {
      for (int a = 0; a < int(p.rows.size()); ++a) {
        const int oy = (t - a) / p.dy;
        if (t < a || (t - a) % p.dy || oy >= p.Ho) continue;
        for (int o = 0; o < p.Wo; ++o) scatter<CB>(p.rows[a], p.coef, o, D + oy * rowY + size_t(o) * CB, arow);
      }
    }
    activate<CB>(act, arow, p.Tw, cw, const_cast<uint8_t*>(codes) + ((size_t(n) * p.Th + t) * p.Tw) * p.C + c0, p.C, true);
    const int32_t* e = p.yup.tab + 3 * t;  // transposed y-pass of the up filter
    for (int j = 0; j < e[1]; ++j) axpy(U1 + size_t(e[0] + j) * rowU, arow, p.coef[e[2] + j], rowU, false);
  }
  for (int h = 0; h < p.H; ++h) {  // transposed x-pass of the up filter
    std::memset(xrow, 0, size_t(p.W) * CB * sizeof(float));
    for (int m = 0; m < p.Tw; ++m) scatter<CB>(p.xup, p.coef, m, U1 + h * rowU + size_t(m) * CB, xrow);
    store_pixels<CB>(xrow, p.C, cw, p.W, dx + ((size_t(n) * p.H + h) * p.W) * p.C + c0);
  }
}

// Multiply-adds of one pass (for the pool's serial/parallel decision).
double pass_macs(const FlPass& P) {
  double s = 0;
  for (int o = 0; o < P.n_out; ++o) s += P.tab[3 * o + 1];
  return s;
}

double work_of(const FlreluPlan& p) {
  double w = pass_macs(p.xup) * p.H + pass_macs(p.yup) * p.Tw;
  if (p.radial) for (const FlPass& r : p.rows) w += pass_macs(r) * p.Ho;
  else w += pass_macs(p.xdown) * p.Th + pass_macs(p.ydown) * p.Wo;
  return w * p.N * p.C;
}

template <typename Task>
void run_blocks(const FlreluPlan& p, Task task) {
  const int cb = p.C >= 32 ? 32 : 16;
  const int blocks = (p.C + cb - 1) / cb;
  parallel_for(p.N * blocks, [&](int i, int) { task(cb, i / blocks, (i % blocks) * cb); }, work_of(p));
}

FlPass read_pass(const int32_t*& it, const int32_t* end, int n_out, int n_in, size_t ncoef, const char* name) {
  if (end - it < 2) throw std::invalid_argument(std::string("flrelu table: ") + name + " is missing");
  FlPass P{it[0], it[1], it + 2};
  if (P.n_out != n_out || P.n_in != n_in)
    throw std::invalid_argument(std::string("flrelu table: ") + name + " is " + std::to_string(P.n_out) + "x" + std::to_string(P.n_in) +
                                " (needs " + std::to_string(n_out) + "x" + std::to_string(n_in) + ")");
  if (end - P.tab < 3 * ptrdiff_t(n_out)) throw std::invalid_argument(std::string("flrelu table: ") + name + " is cut short");
  for (int o = 0; o < n_out; ++o) {
    const int32_t s0 = P.tab[3 * o], cnt = P.tab[3 * o + 1], off = P.tab[3 * o + 2];
    if (s0 < 0 || cnt < 0 || s0 + cnt > n_in || off < 0 || size_t(off) + cnt > ncoef)
      throw std::invalid_argument(std::string("flrelu table: ") + name + " entry " + std::to_string(o) + " is out of range");
  }
  it = P.tab + 3 * n_out;
  return P;
}

}  // namespace

FlreluPlan flrelu_plan(const int32_t* it, size_t n, const float* coef, size_t ncoef, float gain, float slope, float clamp) {
  if (n < kFlreluHeader) throw std::invalid_argument("flrelu table: header is cut short");
  const int32_t* end = it + n;
  FlreluPlan p{};
  p.N = it[0]; p.H = it[1]; p.W = it[2]; p.C = it[3]; p.Th = it[4]; p.Tw = it[5]; p.Ho = it[6]; p.Wo = it[7];
  p.radial = it[8] != 0; p.dy = it[9];
  const int nrows = it[10];
  for (int v : {p.N, p.H, p.W, p.C, p.Th, p.Tw, p.Ho, p.Wo})
    if (v < 1) throw std::invalid_argument("flrelu table: a size is < 1 (got " + std::to_string(v) + ")");
  if (p.Wo > p.Tw) throw std::invalid_argument("flrelu table: output wider than the up-sampled row");
  p.coef = coef; p.ncoef = ncoef; p.gain = gain; p.slope = slope; p.clamp = clamp;
  it += kFlreluHeader;
  p.xup = read_pass(it, end, p.Tw, p.W, ncoef, "xup");
  p.yup = read_pass(it, end, p.Th, p.H, ncoef, "yup");
  if (!p.radial) {
    p.xdown = read_pass(it, end, p.Wo, p.Tw, ncoef, "xdown");
    p.ydown = read_pass(it, end, p.Ho, p.Th, ncoef, "ydown");
  } else {
    if (p.dy < 1 || nrows < 1 || (p.Ho - 1) * p.dy + nrows > p.Th)
      throw std::invalid_argument("flrelu table: radial rows do not fit (got dy " + std::to_string(p.dy) + ", rows " + std::to_string(nrows) + ")");
    for (int a = 0; a < nrows; ++a) p.rows.push_back(read_pass(it, end, p.Wo, p.Tw, ncoef, "radial row"));
  }
  if (it != end) throw std::invalid_argument("flrelu table: trailing entries");
  return p;
}

void flrelu_forward(const FlreluPlan& p, const float* x, const float* b, float* y, uint8_t* codes, bool masked) {
  if (masked && !codes) throw std::invalid_argument("flrelu: the masked forward needs codes");
  run_blocks(p, [&](int cb, int n, int c0) {
    if (cb == 32) forward_task<32>(p, n, c0, x, b, y, codes, masked);
    else forward_task<16>(p, n, c0, x, b, y, codes, masked);
  });
}

void flrelu_backward(const FlreluPlan& p, const float* dy, const uint8_t* codes, float* dx) {
  run_blocks(p, [&](int cb, int n, int c0) {
    if (cb == 32) backward_task<32>(p, n, c0, dy, codes, dx);
    else backward_task<16>(p, n, c0, dy, codes, dx);
  });
}

}  // namespace sg3
