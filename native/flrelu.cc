// Fused filtered leaky ReLU (StyleGAN3's filtered_lrelu; official torch_utils/ops/filtered_lrelu.py,
// reference order) over NHWC float32: the forward pass, its input gradient, and the "masked" linear
// forward (the activation replaced by its saved derivative) that a second-order gradient needs.
//
// One task = one image n and one block of CB channels; everything between the input and the output
// stays in per-thread scratch (the official CUDA kernel's tiling idea: no full-size intermediate
// ever reaches the tfjs heap, only 2 bits per up-sampled element saying how the activation went;
// the intermediate rows live in rings of as many rows as a pass reads at once, so they stay in L2):
//   1. U1[h] = xup(x[n, h] + b)                 x-pass of the up filter on each input row   [H, Tw]
//   2. A[t]  = sum_j yup[t][j] * U1[s0 + j]      y-pass as a combination of rows            [Tw]
//      A[t]  = clamp(lrelu(A[t], slope) * gain)  code 0: > 0, 1: <= 0, 2: clamped (0 gradient),
//                                                 2 bits per element, 16 channels to a word
//   3. separable: B[t] = xdown(A[t]); Y[o] = sum_j ydown[o][j] * B[s0 + j]
//      radial:    Y[o] += rows[a](A[o*dy + a]) for every row a of the 2-D down filter
// Every 1-D pass is a banded matrix given by the caller as one (first input, count, coefficient
// offset) triple per output: up-sampling (zero insertion, padding, gain) and down-sampling (stride)
// are folded into those tables, so no zero is ever multiplied. The gradient runs the transposed
// passes (tables of their own, gather form) with the codes as the activation's derivative.
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

// y[0:len) += a * x[0:len); len is a multiple of VL.
inline void axpy(float* __restrict y, const float* __restrict x, float a, size_t len) {
  const vf av = vf{} + a;
  for (size_t k = 0; k < len; k += VL) st(y + k, ld(y + k) + av * ld(x + k));
}

// Passes over rows of pixels of CB floats, summed: out[o] (+)= sum_r sum_j coef[off_r + j] *
// in_r[s0_r + j] over the npass (pass, input row) pairs r (one pair: a 1-D pass; a radial filter's
// rows: a 2-D filter, accumulated in registers across its rows).
//
// Outputs run in groups of G that share their coefficients (same tap count and coefficient offset
// in every pass: a down-sampling pass, or one phase of a polyphase up-sampling pass, whose members
// are then q outputs apart): each tap's coefficient is broadcast once for G * CB / VL FMAs, and the
// G * CB / VL accumulator chains hide the FMA latency. Outputs that fit no group (borders) run alone.
template <int CB, int G>
inline void gather_group(int npass, const FlPass* const* P, const float* const* in, int o, int q, const float* coef, float* out, bool add) {
  constexpr int V = CB / VL;
  vf acc[G][V] = {};
  for (int r = 0; r < npass; ++r) {
    const int32_t* e = P[r]->tab + 3 * o;
    const float* c = coef + e[2];
    const float* src[G];
    for (int g = 0; g < G; ++g) src[g] = in[r] + size_t(P[r]->tab[3 * (o + g * q)]) * CB;
    for (int j = 0; j < e[1]; ++j) {
      const vf cj = vf{} + c[j];
      for (int g = 0; g < G; ++g)
        for (int v = 0; v < V; ++v) acc[g][v] += cj * ld(src[g] + size_t(j) * CB + v * VL);
    }
  }
  for (int g = 0; g < G; ++g) {
    float* dst = out + size_t(o + g * q) * CB;
    for (int v = 0; v < V; ++v) st(dst + v * VL, add ? ld(dst + v * VL) + acc[g][v] : acc[g][v]);
  }
}

// Whether outputs o, o+q, ..., o+(G-1)q share tap counts and coefficients in every pass.
inline bool shares(int npass, const FlPass* const* P, int o, int q, int G) {
  if (o + (G - 1) * q >= P[0]->n_out) return false;
  for (int r = 0; r < npass; ++r) {
    const int32_t* e = P[r]->tab;
    for (int g = 1; g < G; ++g) {
      const int k = o + g * q;
      if (e[3 * k + 1] != e[3 * o + 1] || e[3 * k + 2] != e[3 * o + 2]) return false;
    }
  }
  return true;
}

template <int CB>
void gather_rows(int npass, const FlPass* const* P, const float* const* in, const float* coef, float* out, bool add) {
  constexpr int G = CB >= 32 ? 4 : 8;
  const int n_out = P[0]->n_out;
  for (int o = 0; o < n_out;) {
    if (shares(npass, P, o, 1, G)) {
      gather_group<CB, G>(npass, P, in, o, 1, coef, out, add);
      o += G;
      continue;
    }
    int q = 2;  // the phase period: the next output with the same coefficients
    const int32_t* e = P[0]->tab;
    while (q <= 8 && o + q < n_out && e[3 * (o + q) + 2] != e[3 * o + 2]) ++q;
    bool block = q <= 8;
    for (int r = 0; block && r < q; ++r) block = shares(npass, P, o + r, q, G);
    if (block) {
      for (int r = 0; r < q; ++r) gather_group<CB, G>(npass, P, in, o + r, q, coef, out, add);
      o += G * q;
      continue;
    }
    gather_group<CB, 1>(npass, P, in, o, 1, coef, out, add);
    o += 1;
  }
}

template <int CB>
inline void gather_row(const FlPass& P, const float* coef, const float* in, float* out, bool add) {
  const FlPass* pp = &P;
  gather_rows<CB>(1, &pp, &in, coef, out, add);
}

// Row combination y[0:len) = sum_j c[j] * rows[j][0:len), accumulated in registers over the taps,
// 8 vectors at a time (one store per 8 vectors, not one per tap).
inline void combine(int cnt, const float* c, const float* const* rows, size_t len, float* y) {
  size_t k = 0;
  for (; k + 8 * VL <= len; k += 8 * VL) {
    vf acc[8] = {};
    for (int j = 0; j < cnt; ++j) {
      const vf cj = vf{} + c[j];
      const float* r = rows[j] + k;
      for (int v = 0; v < 8; ++v) acc[v] += cj * ld(r + v * VL);
    }
    for (int v = 0; v < 8; ++v) st(y + k + v * VL, acc[v]);
  }
  for (; k < len; k += VL) {
    vf acc = {};
    for (int j = 0; j < cnt; ++j) acc += (vf{} + c[j]) * ld(rows[j] + k);
    st(y + k, acc);
  }
}

// Rows of `len` floats kept for a sliding window of row indices: row r lives in slot r % size.
// The passes read rows in nondecreasing windows no wider than the largest tap count, so a ring
// of that many rows replaces a whole intermediate image (which would not fit in L2).
struct Ring {
  float* base;
  int size;
  size_t len;
  float* row(int r) const { return base + size_t(r % size) * len; }
};

int max_count(const FlPass& P) {
  int m = 1;
  for (int o = 0; o < P.n_out; ++o) m = std::max(m, int(P.tab[3 * o + 1]));
  return m;
}

// Copies cw channels of `npix` NHWC pixels (stride C) into CB-wide pixels, zero above cw, plus bias.
template <int CB>
void load_pixels(const float* src, int C, int cw, int npix, const float* bias, float* dst) {
  if (cw == CB) {
    vf bv[CB / VL] = {};
    if (bias) for (int v = 0; v < CB / VL; ++v) bv[v] = ld(bias + v * VL);
    for (int p = 0; p < npix; ++p)
      for (int v = 0; v < CB / VL; ++v) st(dst + size_t(p) * CB + v * VL, ld(src + size_t(p) * C + v * VL) + bv[v]);
    return;
  }
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

typedef int32_t vi __attribute__((vector_size(64)));   // 16 lanes, the comparison results of vf
typedef uint32_t vu __attribute__((vector_size(64)));  // 16 lanes, unsigned for the code shifts
const vu kShift = {0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30};

// 16 codes (0..2) of 16 consecutive channels <-> one 32-bit word, code i in bits 2i, 2i+1.
inline uint32_t pack16(vi k) {
  typedef uint32_t vu8 __attribute__((vector_size(32)));
  typedef uint32_t vu4 __attribute__((vector_size(16)));
  const vu w = vu(k) << kShift;  // disjoint bits: OR-reduce in halves
  vu8 a, b;
  std::memcpy(&a, &w, 32);
  std::memcpy(&b, reinterpret_cast<const char*>(&w) + 32, 32);
  const vu8 h = a | b;
  vu4 c, d;
  std::memcpy(&c, &h, 16);
  std::memcpy(&d, reinterpret_cast<const char*>(&h) + 16, 16);
  const vu4 q = c | d;
  return q[0] | q[1] | q[2] | q[3];
}
inline vi unpack16(uint32_t w) { return vi(((vu{} + w) >> kShift) & 3u); }

// Gradient factor of each code: gain * {1, slope, 0}.
struct Act {
  float gain, slope, clamp;  // clamp < 0: none
  float mult[4];
  explicit Act(const FlreluPlan& p) : gain(p.gain), slope(p.slope), clamp(p.clamp), mult{p.gain, p.gain * p.slope, 0.f, 0.f} {}
};

// Step 2's activation on one row a[Tw][CB], 16 channels at a time: z = clamp(lrelu(v) * gain) and
// the codes of the valid channels (codes may be null: inference), or with `masked` the saved codes'
// factors gain * {1, slope, 0} instead (linear). Codes are 2 bits, 16 channels to a 32-bit word,
// `cwords` words per pixel (channel blocks start at multiples of 16: a word is never shared between
// tasks). NaN stays NaN with code 1, as the scalar rule (v > 0 false, |z| > clamp false) gives.
template <int CB>
void activate(const Act& f, float* a, int Tw, int cw, uint32_t* codes, int cwords, bool masked) {
  const vf slope = vf{} + f.slope, gain = vf{} + f.gain, zero = {};
  const vf hi = vf{} + (f.clamp >= 0.f ? f.clamp : __builtin_inff()), lo = -hi;
  const vf m0 = vf{} + f.mult[0], m1 = vf{} + f.mult[1];
  for (int m = 0; m < Tw; ++m) {
    float* p = a + size_t(m) * CB;
    uint32_t* code = codes ? codes + size_t(m) * cwords : nullptr;
    for (int v = 0; v < CB / VL; ++v) {
      const bool valid = v * VL < cw;  // a vector past the last channel holds padding only
      const vf x = ld(p + v * VL);
      if (masked) {
        const vi k = valid ? unpack16(code[v]) : vi{};
        st(p + v * VL, x * (k == 0 ? m0 : k == 1 ? m1 : zero));
        continue;
      }
      const vi pos = x > zero;
      vf z = (pos ? x : x * slope) * gain;
      const vi clamped = (z > hi) | (z < lo);
      z = z > hi ? hi : z;
      z = z < lo ? lo : z;
      st(p + v * VL, z);
      if (code && valid) code[v] = pack16(clamped ? vi{} + 2 : pos ? vi{} : vi{} + 1);
    }
  }
}

inline int cwords(const FlreluPlan& p) { return (p.C + VL - 1) / VL; }

struct Scratch {
  std::vector<float> buf;
  float* get(size_t n) { if (buf.size() < n) buf.resize(n); return buf.data(); }
};
thread_local Scratch scratch;

template <int CB>
void forward_task(const FlreluPlan& p, int n, int c0, const float* x, const float* b, float* y, uint32_t* codes, bool masked) {
  const int cw = std::min(CB, p.C - c0);
  const size_t rowU = size_t(p.Tw) * CB, rowY = size_t(p.Wo) * CB;
  const int ru = max_count(p.yup), nrows = int(p.rows.size());
  const int rd = p.radial ? nrows : max_count(p.ydown);
  const size_t rowD = p.radial ? rowU : rowY;
  float* xrow = scratch.get(size_t(p.W) * CB + size_t(ru) * rowU + rowU + size_t(rd) * rowD + rowY);
  const Ring U{xrow + size_t(p.W) * CB, ru, rowU};   // rows of the x-pass of the up filter
  float* arow = U.base + size_t(ru) * rowU;
  const Ring D{arow + rowU, rd, rowD};               // separable: rows after the x-pass down; radial: activation rows
  float* yrow = D.base + size_t(rd) * rowD;
  std::vector<const float*> rows(std::max({ru, rd, nrows}));
  std::vector<const FlPass*> rowp(nrows);
  for (int a = 0; a < nrows; ++a) rowp[a] = &p.rows[a];
  const Act act(p);
  int next_u = 0, next_o = 0;
  for (int t = 0; t < p.Th; ++t) {
    // 1. the x-pass rows of the up filter this output row reads, 2. y-pass, activation
    const int32_t* e = p.yup.tab + 3 * t;
    for (; next_u < e[0] + e[1]; ++next_u) {
      load_pixels<CB>(x + ((size_t(n) * p.H + next_u) * p.W) * p.C + c0, p.C, cw, p.W, b ? b + c0 : nullptr, xrow);
      gather_row<CB>(p.xup, p.coef, xrow, U.row(next_u), false);
    }
    float* a = p.radial ? D.row(t) : arow;  // radial: D keeps the activation rows the 2-D filter reads
    for (int j = 0; j < e[1]; ++j) rows[j] = U.row(e[0] + j);
    combine(e[1], p.coef + e[2], rows.data(), rowU, a);
    activate<CB>(act, a, p.Tw, cw, codes ? codes + ((size_t(n) * p.Th + t) * p.Tw) * cwords(p) + c0 / VL : nullptr, cwords(p), masked);
    // 3. down filter; an output row is written as soon as its last input row is done
    if (!p.radial) {
      gather_row<CB>(p.xdown, p.coef, arow, D.row(t), false);
      for (; next_o < p.Ho; ++next_o) {
        const int32_t* d = p.ydown.tab + 3 * next_o;
        if (d[0] + d[1] - 1 > t) break;
        for (int j = 0; j < d[1]; ++j) rows[j] = D.row(d[0] + j);
        combine(d[1], p.coef + d[2], rows.data(), rowY, yrow);
        store_pixels<CB>(yrow, p.C, cw, p.Wo, y + ((size_t(n) * p.Ho + next_o) * p.Wo) * p.C + c0);
      }
      continue;
    }
    for (; next_o < p.Ho && next_o * p.dy + nrows - 1 <= t; ++next_o) {
      for (int r = 0; r < nrows; ++r) rows[r] = D.row(next_o * p.dy + r);
      gather_rows<CB>(nrows, rowp.data(), rows.data(), p.coef, yrow, false);
      store_pixels<CB>(yrow, p.C, cw, p.Wo, y + ((size_t(n) * p.Ho + next_o) * p.Wo) * p.C + c0);
    }
  }
}

// The gradient, every pass transposed and in gather form except the y-pass of the up filter
// (rows scattered: dU1[s0 + j] += c * dA[t], as activation rows come one at a time); a dU1 row
// that no later row t reaches is final and leaves at once through the transposed x-pass.
template <int CB>
void backward_task(const FlreluPlan& p, int n, int c0, const float* dy, const uint32_t* codes, float* dx) {
  const int cw = std::min(CB, p.C - c0);
  const size_t rowU = size_t(p.Tw) * CB, rowY = size_t(p.Wo) * CB;
  const int ru = max_count(p.yup);
  float* dY = scratch.get(size_t(p.Ho) * rowY + rowY + rowU + size_t(ru) * rowU + size_t(p.W) * CB);
  float* brow = dY + size_t(p.Ho) * rowY;
  float* arow = brow + rowY;
  const Ring U{arow + rowU, ru, rowU};
  float* xrow = U.base + size_t(ru) * rowU;
  const int nrows = int(p.rowsT.size());
  std::vector<const float*> rows(std::max(max_count(p.radial ? p.yup : p.ydownT), nrows));
  std::vector<const FlPass*> rowp(nrows);
  const Act act(p);
  load_pixels<CB>(dy + size_t(n) * p.Ho * p.Wo * p.C + c0, p.C, cw, p.Ho * p.Wo, nullptr, dY);  // dY, CB-wide
  int zeroed = 0, done = 0;  // dU1 rows [done, zeroed) are live in the ring
  auto finish = [&](int upto) {  // dU1 rows below upto are complete: x-pass transposed, store
    for (; done < upto; ++done) {
      if (done >= zeroed) { std::memset(U.row(done), 0, rowU * sizeof(float)); zeroed = done + 1; }
      gather_row<CB>(p.xupT, p.coef, U.row(done), xrow, false);
      store_pixels<CB>(xrow, p.C, cw, p.W, dx + ((size_t(n) * p.H + done) * p.W) * p.C + c0);
    }
  };
  for (int t = 0; t < p.Th; ++t) {
    if (!p.radial) {  // dB[t] = ydown^T dY, then dA[t] = xdown^T dB[t]
      const int32_t* d = p.ydownT.tab + 3 * t;
      for (int j = 0; j < d[1]; ++j) rows[j] = dY + size_t(d[0] + j) * rowY;
      combine(d[1], p.coef + d[2], rows.data(), rowY, brow);
      gather_row<CB>(p.xdownT, p.coef, brow, arow, false);
    } else {  // dA[t] = sum over the filter rows a that read activation row t = o*dy + a
      int k = 0;
      for (int a = 0; a < int(p.rowsT.size()); ++a) {
        const int oy = (t - a) / p.dy;
        if (t < a || (t - a) % p.dy || oy >= p.Ho) continue;
        rowp[k] = &p.rowsT[a];
        rows[k++] = dY + oy * rowY;
      }
      if (k == 0) std::memset(arow, 0, rowU * sizeof(float));
      else gather_rows<CB>(k, rowp.data(), rows.data(), p.coef, arow, false);
    }
    activate<CB>(act, arow, p.Tw, cw, const_cast<uint32_t*>(codes) + ((size_t(n) * p.Th + t) * p.Tw) * cwords(p) + c0 / VL, cwords(p), true);
    const int32_t* e = p.yup.tab + 3 * t;  // transposed y-pass of the up filter, scattered
    finish(e[1] > 0 ? e[0] : done);
    for (; zeroed < e[0] + e[1]; ++zeroed) std::memset(U.row(zeroed), 0, rowU * sizeof(float));
    for (int j = 0; j < e[1]; ++j) axpy(U.row(e[0] + j), arow, p.coef[e[2] + j], rowU);
  }
  finish(p.H);
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
  p.xupT = read_pass(it, end, p.W, p.Tw, ncoef, "xup^T");
  if (!p.radial) {
    p.xdownT = read_pass(it, end, p.Tw, p.Wo, ncoef, "xdown^T");
    p.ydownT = read_pass(it, end, p.Th, p.Ho, ncoef, "ydown^T");
  } else {
    for (int a = 0; a < nrows; ++a) p.rowsT.push_back(read_pass(it, end, p.Tw, p.Wo, ncoef, "radial row^T"));
  }
  if (it != end) throw std::invalid_argument("flrelu table: trailing entries");
  return p;
}

void flrelu_forward(const FlreluPlan& p, const float* x, const float* b, float* y, uint32_t* codes, bool masked) {
  if (masked && !codes) throw std::invalid_argument("flrelu: the masked forward needs codes");
  run_blocks(p, [&](int cb, int n, int c0) {
    if (cb == 32) forward_task<32>(p, n, c0, x, b, y, codes, masked);
    else forward_task<16>(p, n, c0, x, b, y, codes, masked);
  });
}

void flrelu_backward(const FlreluPlan& p, const float* dy, const uint32_t* codes, float* dx) {
  run_blocks(p, [&](int cb, int n, int c0) {
    if (cb == 32) backward_task<32>(p, n, c0, dy, codes, dx);
    else backward_task<16>(p, n, c0, dy, codes, dx);
  });
}

}  // namespace sg3
