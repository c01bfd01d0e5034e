// The register-blocked strided runs of the fused filtered leaky ReLU's banded passes (flrelu.cc):
// where a pass (or the passes of a radial filter's rows) has long runs of outputs with the same
// coefficients at a fixed input stride, and a compiled (taps, stride) pair, these compute 8 outputs
// at a time with coefficients and accumulators in registers and each input pixel loaded once (a
// symmetric filter of even length: taps j and K-1-j as one FMA on their inputs' sum, which rounds
// differently from the gather form; a symmetric radial filter's row pairs summed as read); border
// outputs outside every run use a single-output form in the gather form's order. Kept apart from
// flrelu-passes.h (the gather form, row combinations, rings and the activation, whose vector type
// and loads this builds on) because the run planning and its template dispatch are a
// self-contained optimisation of one kind of pass.
#pragma once
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "flrelu-passes.h"
#include "sg3native.h"

namespace sg3 {
namespace flrelu_detail {

// Register-blocked passes. A strided run: outputs o0 + q*i (i < n) reading K inputs from
// s0 + S*i, with one coefficient list per pass (a down-sampling pass, one phase of a polyphase
// up-sampling pass, away from the borders). A pass set (one pass, or the passes of a radial
// filter's rows, read the same way) is covered by runs with a compiled (K, S) and single outputs
// (borders), which the gather form computes.
struct StridedRun {
  int o0, q, n, s0, S, K;
  bool sym;  // every pass's coefficients read the same backwards (and K is even)
  // With the run of outputs o0 + 1 + q*i merged in: they read the same inputs with every pass's
  // coefficients reversed (the two phases of a symmetric filter transposed through a stride 2).
  bool mirror = false;
  int co = 0;  // the output whose table entries hold the run's coefficients (o0 unless padded)
};
struct StridedPlan {
  std::vector<StridedRun> runs;
  std::vector<int> rest;  // outputs outside every run
};

inline bool strided_supported(int K, int S) { return (K == 12 && S == 2) || (K == 6 && S == 1); }

// Output o + q*i of every pass: same tap count and coefficients as o, first input s0(o) + S*i.
inline bool run_member(int npass, const FlPass* const* P, int o, int q, int S, int i) {
  const int k = o + q * i;
  for (int r = 0; r < npass; ++r) {
    const int32_t* e = P[r]->tab;
    if (e[3 * k] != e[3 * o] + S * i || e[3 * k + 1] != e[3 * o + 1] || e[3 * k + 2] != e[3 * o + 2] || e[3 * k] != P[0]->tab[3 * k]) return false;
  }
  return true;
}

// Whether run b (outputs o0 + 1 + q*i) mirrors run a: same inputs, every pass's coefficients reversed.
inline bool mirrors(int npass, const FlPass* const* P, const float* coef, const StridedRun& a, const StridedRun& b) {
  if (a.K != 6 || a.S != 1 || a.q != 2 || a.sym || b.K != a.K || b.S != a.S || b.q != a.q || b.o0 != a.o0 + 1 || b.s0 != a.s0) return false;
  for (int r = 0; r < npass; ++r) {
    const float *ca = coef + P[r]->tab[3 * a.co + 2], *cb = coef + P[r]->tab[3 * b.co + 2];
    for (int j = 0; j < a.K; ++j)
      if (ca[j] != cb[a.K - 1 - j]) return false;
  }
  return true;
}

// Whether output o of every pass is run r's output o0 + q*m (inputs from s0 + S*m, m may be < 0
// or >= n) with the taps that fall outside the input row dropped: then, over input rows with
// `pad` zero pixels on each side, it is a run member (a zero input adds an exact 0 to the sum).
inline bool padded_member(int npass, const FlPass* const* P, const float* coef, const StridedRun& r, int o, int m, int pad) {
  const int v = r.s0 + r.S * m, n_in = P[0]->n_in;
  if (v < -pad || v + r.K > n_in + pad) return false;
  const int lo = std::max(v, 0), hi = std::min(v + r.K, n_in);
  for (int k = 0; k < npass; ++k) {
    const int32_t* e = P[k]->tab + 3 * o;
    const float* c = coef + P[k]->tab[3 * r.co + 2];
    if (e[0] != lo || e[1] != hi - lo) return false;
    for (int j = 0; j < e[1]; ++j)
      if (coef[e[2] + j] != c[lo - v + j]) return false;
  }
  return true;
}

// Extends every run over the border outputs that padded_member accepts (both ends).
inline void pad_runs(StridedPlan& sp, int npass, const FlPass* const* P, const float* coef, int pad) {
  const int n_out = P[0]->n_out;
  std::vector<char> rest(n_out, 0);
  for (int o : sp.rest) rest[o] = 1;
  for (StridedRun& r : sp.runs) {
    while (r.o0 - r.q >= 0 && rest[r.o0 - r.q] && padded_member(npass, P, coef, r, r.o0 - r.q, -1, pad)) {
      r.o0 -= r.q; r.s0 -= r.S; ++r.n; rest[r.o0] = 0;
    }
    int o;
    while ((o = r.o0 + r.q * r.n) < n_out && rest[o] && padded_member(npass, P, coef, r, o, r.n, pad)) { ++r.n; rest[o] = 0; }
  }
  sp.rest.clear();
  for (int o = 0; o < n_out; ++o) if (rest[o]) sp.rest.push_back(o);
}

inline StridedPlan strided_plan(int npass, const FlPass* const* P, const float* coef, bool mirror = false, int pad = 0) {
  StridedPlan sp;
  const int n_out = P[0]->n_out;
  const int32_t* e = P[0]->tab;
  std::vector<char> done(n_out, 0);
  for (int o = 0; o < n_out; ++o) {
    if (done[o]) continue;
    bool found = false;
    for (int q = 1; q <= 4 && !found && o + q < n_out; ++q) {
      const int S = e[3 * (o + q)] - e[3 * o], K = e[3 * o + 1];
      if (!strided_supported(K, S)) continue;
      int n = 1;
      while (o + q * n < n_out && !done[o + q * n] && run_member(npass, P, o, q, S, n)) ++n;
      if (n < 4) continue;
      bool sym = K % 2 == 0;
      for (int r = 0; r < npass; ++r) {
        const float* c = coef + P[r]->tab[3 * o + 2];
        for (int j = 0; j < K; ++j) sym &= c[j] == c[K - 1 - j];
      }
      sp.runs.push_back({o, q, n, e[3 * o], S, K, sym, false, o});
      for (int i = 0; i < n; ++i) done[o + q * i] = 1;
      found = true;
    }
    if (!found) { sp.rest.push_back(o); done[o] = 1; }
  }
  if (pad > 0) pad_runs(sp, npass, P, coef, pad);
  if (!mirror) return sp;
  std::vector<StridedRun> runs;  // merge mirrored run pairs (the longer one's tail stays a run)
  for (size_t i = 0; i < sp.runs.size(); ++i) {
    if (i + 1 < sp.runs.size() && mirrors(npass, P, coef, sp.runs[i], sp.runs[i + 1])) {
      StridedRun a = sp.runs[i], b = sp.runs[i + 1];
      const int n = std::min(a.n, b.n);
      for (StridedRun* t : {&a, &b})
        if (t->n > n) runs.push_back({t->o0 + t->q * n, t->q, t->n - n, t->s0 + t->S * n, t->S, t->K, t->sym, false, t->co});
      a.n = n; a.mirror = true;
      runs.push_back(a);
      ++i;
    } else runs.push_back(sp.runs[i]);
  }
  sp.runs = runs;
  return sp;
}

// One pass of a strided group (see strided_group): acc[g] += sum_j c[j] * in[S*g + j] for one
// vector of a pixel, where in is row a, or with Paired the sum of rows a and b (formed as each
// pixel is read).
template <int G, int K, int S, bool Paired>
inline void strided_pass(vf (&acc)[G], const float* c, const float* pa, const float* pb, size_t stride) {
  constexpr int P = S * (G - 1) + K;
  vf cr[K];
#pragma GCC unroll 32
  for (int j = 0; j < K; ++j) cr[j] = splat(c[j]);
#pragma GCC unroll 64
  for (int p = 0; p < P; ++p) {
    const vf x = Paired ? ld(pa + size_t(p) * stride) + ld(pb + size_t(p) * stride) : ld(pa + size_t(p) * stride);
#pragma GCC unroll 32
    for (int g = 0; g < G; ++g) {
      const int j = p - S * g;
      if (j >= 0 && j < K) acc[g] += cr[j] * x;
    }
  }
}

// The same for a symmetric coefficient list of even length K (one vector of a pixel): the taps
// j and K-1-j of an output read their two inputs' sum, so an output costs K/2 FMAs and K/2 adds
// (separate pipes) instead of K FMAs. The inputs are loaded once, in order, as the outputs first
// need them (a window of K live inputs; G accumulators, K/2 coefficients).
template <int G, int K, int S, bool Paired>
inline void strided_fold(vf (&acc)[G], const float* c, const float* pa, const float* pb, size_t stride) {
  constexpr int P = S * (G - 1) + K, H = K / 2;
  vf cr[H], x[P];
#pragma GCC unroll 32
  for (int j = 0; j < H; ++j) cr[j] = splat(c[j]);
#pragma GCC unroll 32
  for (int g = 0; g < G; ++g) {
#pragma GCC unroll 32
    for (int p = g ? S * g + K - S : 0; p < S * g + K; ++p)
      x[p] = Paired ? ld(pa + size_t(p) * stride) + ld(pb + size_t(p) * stride) : ld(pa + size_t(p) * stride);
#pragma GCC unroll 32
    for (int j = 0; j < H; ++j) acc[g] += cr[j] * (x[S * g + j] + x[S * g + K - 1 - j]);
  }
}

// G outputs of a strided run, the first reading from input in0, one 16-channel vector of the
// pixels at a time: the G accumulators and the coefficients of a pass stay in registers and each
// input pixel is loaded once for all the outputs it reaches (the gather form loads it once per tap
// and output). A pass with a second input row (b[k] non-null: rows a and rows-1-a of a symmetric
// filter) reads the sum of its two rows. The sums run over passes, then taps (the gather form's
// order, or folded tap pairs for a symmetric filter).
template <int CB, int G, int K, int S, bool Sym>
inline void strided_group(int npass, const float* const* c, const float* const* a, const float* const* b, int in0, int q, float* out) {
  const ptrdiff_t off = ptrdiff_t(in0) * CB;  // in0 < 0: a run extended into zero padding
  for (int v = 0; v < CB / VL; ++v) {
    vf acc[G] = {};
    for (int k = 0; k < npass; ++k) {
      const float* pa = a[k] + off + v * VL;
      const float* pb = b[k] ? b[k] + off + v * VL : nullptr;
      if constexpr (Sym) {
        if (pb) strided_fold<G, K, S, true>(acc, c[k], pa, pb, CB);
        else strided_fold<G, K, S, false>(acc, c[k], pa, nullptr, CB);
      } else if (pb) strided_pass<G, K, S, true>(acc, c[k], pa, pb, CB);
      else strided_pass<G, K, S, false>(acc, c[k], pa, nullptr, CB);
    }
#pragma GCC unroll 32
    for (int g = 0; g < G; ++g) st(out + size_t(g) * q * CB + v * VL, acc[g]);
  }
}

// G output pairs of a mirrored run (outputs 2g and 2g + 1 read inputs in0 + g .. + K-1, the second
// with every pass's coefficients c reversed): with m = (c[j] + c[K-1-j]) / 2 and d = (c[j] -
// c[K-1-j]) / 2 (mc: m then d per pass), P = sum m (x[j] + x[K-1-j]) and Q = sum d (x[j] - x[K-1-j])
// over passes and tap pairs, the outputs are P + Q and P - Q: K FMAs per pair instead of 2K.
// Form: kPlain reads the rows a[k]; kSum / kDiff (strided_pair) the sums / differences of rows
// a[k] and a[npass-1-k] for k < npass, kSum storing to out0 and kDiff adding to what out0 holds
// (out0 = S + D, out1 = S - D).
enum MirrorForm { kPlain, kSum, kDiff };

template <int CB, int G, int K, MirrorForm F = kPlain>
inline void mirror_group(int npass, const float* mc, const float* const* a, int in0, float* out, float* out1 = nullptr, int nrow = 0) {
  constexpr int H = K / 2;
  const ptrdiff_t off = ptrdiff_t(in0) * CB;
  for (int v = 0; v < CB / VL; ++v) {
    vf P[G] = {}, Q[G] = {};
    for (int k = 0; k < npass; ++k) {
      const float* pa = a[k] + off + v * VL;
      const float* pb = F == kPlain ? pa : a[nrow - 1 - k] + off + v * VL;
      vf m[H], d[H], x[G - 1 + K];
#pragma GCC unroll 8
      for (int j = 0; j < H; ++j) { m[j] = splat(mc[2 * H * k + j]); d[j] = splat(mc[2 * H * k + H + j]); }
#pragma GCC unroll 32
      for (int g = 0; g < G; ++g) {
#pragma GCC unroll 32
        for (int p = g ? g + K - 1 : 0; p < g + K; ++p) {
          const size_t i = size_t(p) * CB;
          x[p] = F == kPlain ? ld(pa + i) : F == kSum ? ld(pa + i) + ld(pb + i) : ld(pa + i) - ld(pb + i);
        }
#pragma GCC unroll 8
        for (int j = 0; j < H; ++j) {
          P[g] += m[j] * (x[g + j] + x[g + K - 1 - j]);
          Q[g] += d[j] * (x[g + j] - x[g + K - 1 - j]);
        }
      }
    }
#pragma GCC unroll 32
    for (int g = 0; g < G; ++g)
#pragma GCC unroll 2
      for (int h = 0; h < 2; ++h) {
        const size_t i = size_t(2 * g + h) * CB + v * VL;
        const vf y = h ? P[g] - Q[g] : P[g] + Q[g];
        if constexpr (F == kDiff) {
          const vf s0 = ld(out + i);
          st(out + i, s0 + y);
          st(out1 + i, s0 - y);
        } else st(out + i, y);
      }
  }
}

constexpr int kMaxStridedPasses = 32;
constexpr int kRunPad = 6;  // zero pixels on each side of a padded pass's input rows (strided_plan's pad)

// Input rows, second rows (null: none) and output row of one evaluation of a pass set.
struct PassRows {
  const float* const* a;
  const float* const* b;
  float* out;
};

// The groups of a run, for each of `nset` row sets in turn (group by group: consecutive output
// rows of a 2-D filter share most input rows, which are then still in L1).
template <int CB, int K, int S, bool Sym>
inline void strided_run(const StridedRun& r, int npass, const float* const* c, int nset, const PassRows* rs) {
  int i = 0;
  for (; i + 8 <= r.n; i += 8)
    for (int k = 0; k < nset; ++k) strided_group<CB, 8, K, S, Sym>(npass, c, rs[k].a, rs[k].b, r.s0 + S * i, r.q, rs[k].out + size_t(r.o0 + r.q * i) * CB);
  for (; i + 4 <= r.n; i += 4)
    for (int k = 0; k < nset; ++k) strided_group<CB, 4, K, S, Sym>(npass, c, rs[k].a, rs[k].b, r.s0 + S * i, r.q, rs[k].out + size_t(r.o0 + r.q * i) * CB);
  for (; i < r.n; ++i)
    for (int k = 0; k < nset; ++k) strided_group<CB, 1, K, S, Sym>(npass, c, rs[k].a, rs[k].b, r.s0 + S * i, r.q, rs[k].out + size_t(r.o0 + r.q * i) * CB);
}

// A mirrored run (inputs without second rows: the plan asks for mirroring only there), pairs in
// groups of 8, 4 and 1, each row set in turn.
template <int CB, int K>
inline void mirror_run(const StridedRun& r, int npass, const float* const* c, int nset, const PassRows* rs) {
  constexpr int H = K / 2;
  float mc[kMaxStridedPasses * K];
  for (int k = 0; k < npass; ++k)
    for (int j = 0; j < H; ++j) {
      mc[2 * H * k + j] = 0.5f * (c[k][j] + c[k][K - 1 - j]);
      mc[2 * H * k + H + j] = 0.5f * (c[k][j] - c[k][K - 1 - j]);
    }
  int i = 0;
  for (; i + 8 <= r.n; i += 8)
    for (int k = 0; k < nset; ++k) mirror_group<CB, 8, K>(npass, mc, rs[k].a, r.s0 + i, rs[k].out + size_t(r.o0 + r.q * i) * CB);
  for (; i + 4 <= r.n; i += 4)
    for (int k = 0; k < nset; ++k) mirror_group<CB, 4, K>(npass, mc, rs[k].a, r.s0 + i, rs[k].out + size_t(r.o0 + r.q * i) * CB);
  for (; i < r.n; ++i)
    for (int k = 0; k < nset; ++k) mirror_group<CB, 1, K>(npass, mc, rs[k].a, r.s0 + i, rs[k].out + size_t(r.o0 + r.q * i) * CB);
}

// Two rows of a symmetric radial filter's transposes through stride 2 at once: activation rows
// t (passes P0[k] over rows a[k]) and t + 1 (P1[k] = P0[n-1-k], the same rows in reverse order).
// With rows A = a[k], B = a[n-1-k] and passes M = (P0[k] + P0[n-1-k]) / 2, D = (P0[k] - P0[n-1-k]) / 2,
// row t is S + D' and row t + 1 is S - D' for S = sum M(A + B), D' = sum D(A - B) over k < n/2:
// half the passes per row. A mirrored run (c: P0's coefficients there).
template <int CB, int K>
inline void pair_run(const StridedRun& r, int npass, const float* const* c, const float* const* a, float* out0, float* out1) {
  constexpr int H = K / 2;
  float ms[kMaxStridedPasses * H], md[kMaxStridedPasses * H];
  const int npair = npass / 2;
  for (int k = 0; k < npair; ++k) {
    float m[K], d[K];
    for (int j = 0; j < K; ++j) { m[j] = 0.5f * (c[k][j] + c[npass - 1 - k][j]); d[j] = 0.5f * (c[k][j] - c[npass - 1 - k][j]); }
    for (int j = 0; j < H; ++j) {
      ms[2 * H * k + j] = 0.5f * (m[j] + m[K - 1 - j]);
      ms[2 * H * k + H + j] = 0.5f * (m[j] - m[K - 1 - j]);
      md[2 * H * k + j] = 0.5f * (d[j] + d[K - 1 - j]);
      md[2 * H * k + H + j] = 0.5f * (d[j] - d[K - 1 - j]);
    }
  }
  int i = 0;
  const size_t o = size_t(r.o0) * CB;
  for (; i + 8 <= r.n; i += 8) {
    float* y0 = out0 + o + size_t(r.q * i) * CB;
    mirror_group<CB, 8, K, kSum>(npair, ms, a, r.s0 + i, y0, nullptr, npass);
    mirror_group<CB, 8, K, kDiff>(npair, md, a, r.s0 + i, y0, out1 + o + size_t(r.q * i) * CB, npass);
  }
  for (; i < r.n; ++i) {
    float* y0 = out0 + o + size_t(r.q * i) * CB;
    mirror_group<CB, 1, K, kSum>(npair, ms, a, r.s0 + i, y0, nullptr, npass);
    mirror_group<CB, 1, K, kDiff>(npair, md, a, r.s0 + i, y0, out1 + o + size_t(r.q * i) * CB, npass);
  }
}

// One output of a pass set in the gather form's order (a border output outside every run); the
// vectors of a pixel side by side (independent FMA chains).
template <int CB>
inline void single_output(int npass, const FlPass* const* P, const float* coef, const float* const* a, const float* const* b, int o, float* out) {
  constexpr int V = CB / VL;
  vf acc[V] = {};
  for (int k = 0; k < npass; ++k) {
    const int32_t* e = P[k]->tab + 3 * o;
    const float* pa = a[k] + size_t(e[0]) * CB;
    const float* pb = b[k] ? b[k] + size_t(e[0]) * CB : nullptr;
    for (int j = 0; j < e[1]; ++j) {
      const vf c = splat(coef[e[2] + j]);
      for (int v = 0; v < V; ++v) {
        const size_t i = size_t(j) * CB + v * VL;
        acc[v] += c * (pb ? ld(pa + i) + ld(pb + i) : ld(pa + i));
      }
    }
  }
  for (int v = 0; v < V; ++v) st(out + size_t(o) * CB + v * VL, acc[v]);
}

// Whether the runs are worth it: any run is (the outputs outside runs are single outputs in the
// grouped gather form as well).
inline bool strided_pays(const StridedPlan& sp, int npass) {
  return npass <= kMaxStridedPasses && !sp.runs.empty();
}

// out[o] = sum_k pass k over input rows a[k] (+ b[k] where non-null), every output of the set;
// for each of `nset` row sets (one output row each).
template <int CB>
inline void strided_passes(const StridedPlan& sp, int npass, const FlPass* const* P, const float* coef, int nset, const PassRows* rs) {
  const float* c[kMaxStridedPasses];
  for (const StridedRun& r : sp.runs) {
    for (int k = 0; k < npass; ++k) c[k] = coef + P[k]->tab[3 * r.co + 2];
    if (r.K == 12 && r.S == 2) {
      if (r.sym) strided_run<CB, 12, 2, true>(r, npass, c, nset, rs);
      else strided_run<CB, 12, 2, false>(r, npass, c, nset, rs);
    } else if (r.mirror) {
      mirror_run<CB, 6>(r, npass, c, nset, rs);
    } else {
      if (r.sym) strided_run<CB, 6, 1, true>(r, npass, c, nset, rs);
      else strided_run<CB, 6, 1, false>(r, npass, c, nset, rs);
    }
  }
  for (int k = 0; k < nset; ++k)
    for (int o : sp.rest) single_output<CB>(npass, P, coef, rs[k].a, rs[k].b, o, rs[k].out);
}

// pair_run's two activation rows over one set of rows a (npass even, P1[k] = P0[npass-1-k]):
// mirrored runs four outputs at a time, the other runs and the border outputs row by row.
template <int CB>
inline void strided_pair(const StridedPlan& sp, int npass, const FlPass* const* P0, const FlPass* const* P1, const float* coef, const float* const* a, float* out0, float* out1) {
  const float* c[kMaxStridedPasses];
  const float* c1[kMaxStridedPasses];
  const float* none[kMaxStridedPasses] = {};
  const PassRows r0{a, none, out0}, r1{a, none, out1};
  for (const StridedRun& r : sp.runs) {
    for (int k = 0; k < npass; ++k) { c[k] = coef + P0[k]->tab[3 * r.co + 2]; c1[k] = coef + P1[k]->tab[3 * r.co + 2]; }
    if (r.mirror) pair_run<CB, 6>(r, npass, c, a, out0, out1);
    else if (r.K == 12 && r.S == 2) {
      if (r.sym) { strided_run<CB, 12, 2, true>(r, npass, c, 1, &r0); strided_run<CB, 12, 2, true>(r, npass, c1, 1, &r1); }
      else { strided_run<CB, 12, 2, false>(r, npass, c, 1, &r0); strided_run<CB, 12, 2, false>(r, npass, c1, 1, &r1); }
    } else if (r.sym) { strided_run<CB, 6, 1, true>(r, npass, c, 1, &r0); strided_run<CB, 6, 1, true>(r, npass, c1, 1, &r1); }
    else { strided_run<CB, 6, 1, false>(r, npass, c, 1, &r0); strided_run<CB, 6, 1, false>(r, npass, c1, 1, &r1); }
  }
  for (int o : sp.rest) {
    single_output<CB>(npass, P0, coef, a, none, o, out0);
    single_output<CB>(npass, P1, coef, a, none, o, out1);
  }
}

template <int CB>
inline void strided_passes(const StridedPlan& sp, int npass, const FlPass* const* P, const float* coef, const float* const* a, const float* const* b, float* out) {
  const PassRows rs{a, b, out};
  strided_passes<CB>(sp, npass, P, coef, 1, &rs);
}

}  // namespace flrelu_detail
}  // namespace sg3
