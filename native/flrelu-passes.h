// The vector building blocks of the fused filtered leaky ReLU (flrelu.cc): loads/stores of 16
// floats, the banded passes in gather form (grouped by shared coefficients, scheduled once per
// call), row combinations, row rings, NHWC <-> channel-block pixel copies, and the activation with
// its 2-bit codes. These are the general forms every pass and table can use; the register-blocked
// strided runs that replace the gather form where a pass has them live in flrelu-strided.h, which
// builds on the vector type and loads defined here. Pixels hold CB floats (a channel block); every
// length is a multiple of 16 floats.
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#if defined(__AVX512F__) && defined(__AVX512DQ__) && defined(__BMI2__)
#include <immintrin.h>
#endif

#include "sg3native.h"

namespace sg3 {
namespace flrelu_detail {

typedef float vf __attribute__((vector_size(64)));  // 16 floats
constexpr int VL = 16;
inline vf ld(const float* p) { vf v; std::memcpy(&v, p, sizeof v); return v; }
inline void st(float* p, vf v) { std::memcpy(p, &v, sizeof v); }
// A broadcast (`vf{} + x` would be an add of +0.0, which IEEE semantics keep).
inline vf splat(float x) { return vf{x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x}; }

// y[0:len) += a * x[0:len); len is a multiple of VL.
inline void axpy(float* __restrict y, const float* __restrict x, float a, size_t len) {
  const vf av = splat(a);
  for (size_t k = 0; k < len; k += VL) st(y + k, ld(y + k) + av * ld(x + k));
}

// Passes over rows of pixels of CB floats, summed: out[o] (+)= sum_r sum_j coef[off_r + j] *
// in_r[s0_r + j] over the npass (pass, input row) pairs r (one pair: a 1-D pass; a radial filter's
// rows: a 2-D filter, accumulated in registers across its rows).
//
// Outputs run in groups of G that share their coefficients (same tap count and coefficient offset
// in every pass: a down-sampling pass, or one phase of a polyphase up-sampling pass, whose members
// are then q outputs apart; see schedule()): each tap's coefficient is broadcast once for
// G * CB / VL FMAs, and the G * CB / VL accumulator chains hide the FMA latency.
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
      const vf cj = splat(c[j]);
      for (int g = 0; g < G; ++g)
        for (int v = 0; v < V; ++v) acc[g][v] += cj * ld(src[g] + size_t(j) * CB + v * VL);
    }
  }
  for (int g = 0; g < G; ++g) {
    float* dst = out + size_t(o + g * q) * CB;
    for (int v = 0; v < V; ++v) st(dst + v * VL, add ? ld(dst + v * VL) + acc[g][v] : acc[g][v]);
  }
}

constexpr int kGroup = 4;  // outputs per group: 4 x (32 / 16) = 8 accumulator chains at CB = 32

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

// The run order of the outputs of passes that are gathered together (computed once per call):
// groups of kGroup consecutive outputs, else (a polyphase pass) q interleaved groups q apart, q the
// distance to the next output with the same coefficients, else single outputs (borders).
inline std::vector<FlBlock> schedule(int npass, const FlPass* const* P) {
  std::vector<FlBlock> out;
  const int n_out = P[0]->n_out, G = kGroup;
  const int32_t* e = P[0]->tab;
  for (int o = 0; o < n_out;) {
    if (shares(npass, P, o, 1, G)) { out.push_back({o, 1, G}); o += G; continue; }
    int q = 2;
    while (q <= 8 && o + q < n_out && e[3 * (o + q) + 2] != e[3 * o + 2]) ++q;
    bool block = q <= 8;
    for (int r = 0; block && r < q; ++r) block = shares(npass, P, o + r, q, G);
    if (block) {
      for (int r = 0; r < q; ++r) out.push_back({o + r, q, G});
      o += G * q;
      continue;
    }
    out.push_back({o, 1, 1});
    o += 1;
  }
  return out;
}

template <int CB>
void gather_rows(int npass, const FlPass* const* P, const float* const* in, const float* coef, float* out, bool add, const std::vector<FlBlock>& blocks) {
  for (const FlBlock& b : blocks) {
    if (b.g == kGroup) gather_group<CB, kGroup>(npass, P, in, b.o, b.q, coef, out, add);
    else gather_group<CB, 1>(npass, P, in, b.o, 1, coef, out, add);
  }
}

template <int CB>
inline void gather_row(const FlPass& P, const float* coef, const float* in, float* out, bool add) {
  const FlPass* pp = &P;
  gather_rows<CB>(1, &pp, &in, coef, out, add, P.blocks);
}

// y[0:len) = a[0:len) + b[0:len).
inline void add_rows(const float* a, const float* b, size_t len, float* y) {
  for (size_t k = 0; k < len; k += VL) st(y + k, ld(a + k) + ld(b + k));
}

// Row combination y[0:len) = sum_j c[j] * rows[j][0:len), accumulated in registers over the taps,
// 8 vectors at a time (one store per 8 vectors, not one per tap).
inline void combine(int cnt, const float* c, const float* const* rows, size_t len, float* y) {
  size_t k = 0;
  for (; k + 8 * VL <= len; k += 8 * VL) {
    vf acc[8] = {};
    for (int j = 0; j < cnt; ++j) {
      const vf cj = splat(c[j]);
      const float* r = rows[j] + k;
      for (int v = 0; v < 8; ++v) acc[v] += cj * ld(r + v * VL);
    }
    for (int v = 0; v < 8; ++v) st(y + k + v * VL, acc[v]);
  }
  for (; k < len; k += VL) {
    vf acc = {};
    for (int j = 0; j < cnt; ++j) acc += splat(c[j]) * ld(rows[j] + k);
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
typedef uint32_t vu __attribute__((vector_size(64)));  // 16 lanes, unsigned for the code bits
const vu kLane = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};

// 16 codes (0..2) of 16 consecutive channels <-> one 32-bit word, code 1 of lane i as bit i, code
// 2 as bit 16 + i.
inline uint32_t pack16(vi k) {
  typedef uint32_t vu8 __attribute__((vector_size(32)));
  typedef uint32_t vu4 __attribute__((vector_size(16)));
  const vu w = ((vu(k) & 1u) << kLane) | ((vu(k) >> 1) << (kLane + 16u));  // disjoint bits: OR-reduce in halves
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
inline vi unpack16(uint32_t w) { const vu x = vu{} + w; return vi(((x >> kLane) & 1u) | (((x >> (kLane + 16u)) & 1u) << 1)); }

// The codes of 16 lanes (0: x > 0, 1: x <= 0, 2: clamped) in one 32-bit word: bit i says lane i
// has code 1, bit 16 + i that it has code 2. With AVX-512 the lanes travel as bit masks (compares
// into mask registers, the word one kunpck of two of them, no vector of codes in between);
// elsewhere through vectors of codes (pack16/unpack16).
#if defined(__AVX512F__) && defined(__AVX512DQ__) && defined(__BMI2__)
#define SG3_FLRELU_MASKS 1
inline vf code_factor(uint32_t w, vf m0, vf m1) {
  return vf(_mm512_maskz_mov_ps(__mmask16(~(w >> 16)), _mm512_mask_mov_ps(__m512(m0), __mmask16(w), __m512(m1))));
}
#else
inline uint32_t encode16(vi pos, vi clamped) { return pack16(clamped ? vi{} + 2 : pos ? vi{} : vi{} + 1); }
inline vf code_factor(uint32_t w, vf m0, vf m1) {
  const vi k = unpack16(w);
  return k == 1 ? m1 : k == 2 ? vf{} : m0;
}
#endif

// Gradient factor of each code: gain * {1, slope, 0}.
struct Act {
  float gain, slope, clamp;  // clamp < 0: none
  float mult[4];
  explicit Act(const FlreluPlan& p) : gain(p.gain), slope(p.slope), clamp(p.clamp), mult{p.gain, p.gain * p.slope, 0.f, 0.f} {}
};

// Step 2's activation on one row a[Tw][CB], 16 channels at a time: z = clamp(lrelu(v) * gain) and
// the codes of the valid channels (codes may be null: inference), or with `masked` the saved codes'
// factors gain * {1, slope, 0} instead (linear). Codes are 2 bits, 16 channels to a 32-bit word:
// pixel m's word of channel vector v is codes[m + v * vstride] (the caller's layout keeps a
// task's words together; channel blocks start at multiples of 16: a word is never shared between
// tasks). NaN stays NaN with code 1, as the scalar rule (v > 0 false, |z| > clamp false) gives.
template <int CB, bool Masked, bool Codes>
void activate_as(const Act& f, float* a, int Tw, int cw, uint32_t* codes, size_t vstride) {
  const vf slope = splat(f.slope), gain = splat(f.gain), zero = {};
  const vf hi = splat(f.clamp >= 0.f ? f.clamp : __builtin_inff()), lo = -hi;
  const vf m0 = splat(f.mult[0]), m1 = splat(f.mult[1]);
  for (int m = 0; m < Tw; ++m) {
    float* p = a + size_t(m) * CB;
    uint32_t* code = Codes ? codes + m : nullptr;
    for (int v = 0; v < CB / VL; ++v) {
      const bool valid = v * VL < cw;  // a vector past the last channel holds padding only
      const vf x = ld(p + v * VL);
      if (Masked) {
        st(p + v * VL, x * (valid ? code_factor(code[v * vstride], m0, m1) : m0));
        continue;
      }
#ifdef SG3_FLRELU_MASKS
      if (Codes) {  // the same operations, with the comparisons in mask registers
        const __m512 xm = __m512(x);
        const __mmask16 pos = _mm512_cmp_ps_mask(xm, __m512(zero), _CMP_GT_OQ);
        __m512 z = _mm512_mul_ps(_mm512_mask_mov_ps(_mm512_mul_ps(xm, __m512(slope)), pos, xm), __m512(gain));
        const __mmask16 above = _mm512_cmp_ps_mask(z, __m512(hi), _CMP_GT_OQ), below = _mm512_cmp_ps_mask(z, __m512(lo), _CMP_LT_OQ);
        const uint32_t clamped = above | below;
        if (valid) code[v * vstride] = (clamped << 16) | (~(pos | clamped) & 0xffffu);
        z = _mm512_mask_mov_ps(_mm512_mask_mov_ps(z, above, __m512(hi)), below, __m512(lo));
        st(p + v * VL, vf(z));
        continue;
      }
#endif
      const vi pos = x > zero;
      vf z = (pos ? x : x * slope) * gain;
#ifndef SG3_FLRELU_MASKS
      if (Codes && valid) code[v * vstride] = encode16(pos, (z > hi) | (z < lo));
#endif
      z = z > hi ? hi : z;
      z = z < lo ? lo : z;
      st(p + v * VL, z);
    }
  }
}

template <int CB>
void activate(const Act& f, float* a, int Tw, int cw, uint32_t* codes, size_t vstride, bool masked) {
  if (masked) activate_as<CB, true, true>(f, a, Tw, cw, codes, vstride);
  else if (codes) activate_as<CB, false, true>(f, a, Tw, cw, codes, vstride);
  else activate_as<CB, false, false>(f, a, Tw, cw, codes, vstride);
}

}  // namespace flrelu_detail
}  // namespace sg3
