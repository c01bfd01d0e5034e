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
//      radial:    Y[o] = sum_a rows[a](A[o*dy + a]) over the rows a of the 2-D down filter (a
//                 symmetric filter: rows a and rows-1-a as one pass over the sum of their inputs)
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

#include "flrelu-passes.h"
#include "flrelu-strided.h"
#include "sg3native.h"

namespace sg3 {
namespace {

using namespace flrelu_detail;

inline int cwords(const FlreluPlan& p) { return (p.C + VL - 1) / VL; }
// The codes of activation row t of image n from channel c0 on: layout [N, cwords, Th, Tw], so a
// task's words are contiguous rows (interleaved per pixel, eight tasks would share cache lines).
inline uint32_t* code_row(const FlreluPlan& p, uint32_t* codes, int n, int c0, int t) {
  return codes + ((size_t(n) * cwords(p) + c0 / VL) * p.Th + t) * p.Tw;
}

struct Scratch {
  std::vector<float> buf;
  float* get(size_t n) { if (buf.size() < n) buf.resize(n); return buf.data(); }
};
thread_local Scratch scratch;

// The register-blocked schedules of a call's forward passes (strided_plan), where they pay.
struct FwdRuns {
  StridedPlan xup, down;  // down: xdown (separable) or the radial rows as forward_task runs them
  bool xup_on = false, down_on = false;
};

template <int CB>
void forward_task(const FlreluPlan& p, const FwdRuns& fr, int n, int c0, const float* x, const float* b, float* y, uint32_t* codes, bool masked) {
  const int cw = std::min(CB, p.C - c0);
  const size_t rowX = size_t(p.W) * CB, rowU = size_t(p.Tw) * CB, rowY = size_t(p.Wo) * CB;
  const int ru = max_count(p.yup), nrows = int(p.rows.size());
  const int rd = p.radial ? nrows + p.dy : max_count(p.ydown);  // radial: two output rows' input rows
  const size_t rowD = p.radial ? rowU : rowY;
  const int npair = p.paired ? nrows / 2 : 0;
  float* urow = scratch.get(rowX + size_t(ru) * rowX + rowU + size_t(rd) * rowD + rowY + size_t(npair) * rowU + rowY);
  const Ring X{urow + rowX, ru, rowX};               // input rows (+ bias) the y-pass of the up filter reads
  float* arow = X.base + size_t(ru) * rowX;
  const Ring D{arow + rowU, rd, rowD};               // separable: rows after the x-pass down; radial: activation rows
  float* yrow = D.base + size_t(rd) * rowD;
  float* pairs = yrow + rowY;                        // symmetric radial filter: A[o*dy + a] + A[o*dy + rows-1-a]
  std::vector<const float*> rows(std::max({ru, rd, nrows}));
  std::vector<const FlPass*> rowp(nrows);
  std::vector<const float*> rows2(nrows), rows_n(nrows), rows2_n(nrows);
  float* yrow_n = pairs + size_t(npair) * rowU;      // the second of two output rows run together
  std::vector<const FlPass*> radp(nrows);
  for (int k = 0; k < nrows - npair; ++k) radp[k] = &p.rows[k];
  const FlPass* xupp = &p.xup;
  const FlPass* xdownp = &p.xdown;
  const float* none = nullptr;
  const Act act(p);
  int next_u = 0, next_o = 0;
  for (int t = 0; t < p.Th; ++t) {
    // 1. the y-pass of the up filter over the input rows it reads (narrow rows: the ring stays in
    // L1), then its x-pass into the activation row, 2. the activation
    const int32_t* e = p.yup.tab + 3 * t;
    for (; next_u < e[0] + e[1]; ++next_u)
      load_pixels<CB>(x + ((size_t(n) * p.H + next_u) * p.W) * p.C + c0, p.C, cw, p.W, b ? b + c0 : nullptr, X.row(next_u));
    for (int j = 0; j < e[1]; ++j) rows[j] = X.row(e[0] + j);
    combine(e[1], p.coef + e[2], rows.data(), rowX, urow);
    float* a = p.radial ? D.row(t) : arow;  // radial: D keeps the activation rows the 2-D filter reads
    if (fr.xup_on) strided_passes<CB>(fr.xup, 1, &xupp, p.coef, &urow, &none, a);
    else gather_row<CB>(p.xup, p.coef, urow, a, false);
    activate<CB>(act, a, p.Tw, cw, codes ? code_row(p, codes, n, c0, t) : nullptr, size_t(p.Th) * p.Tw, masked);
    // 3. down filter; an output row is written as soon as its last input row is done
    if (!p.radial) {
      if (fr.down_on) strided_passes<CB>(fr.down, 1, &xdownp, p.coef, &arow, &none, D.row(t));
      else gather_row<CB>(p.xdown, p.coef, arow, D.row(t), false);
      for (; next_o < p.Ho; ++next_o) {
        const int32_t* d = p.ydown.tab + 3 * next_o;
        if (d[0] + d[1] - 1 > t) break;
        for (int j = 0; j < d[1]; ++j) rows[j] = D.row(d[0] + j);
        combine(d[1], p.coef + d[2], rows.data(), rowY, yrow);
        store_pixels<CB>(yrow, p.C, cw, p.Wo, y + ((size_t(n) * p.Ho + next_o) * p.Wo) * p.C + c0);
      }
      continue;
    }
    // Register blocked (the row sums formed as they are read): two output rows at a time, which
    // share nrows - dy input rows, as soon as the second's last row is done (or the last alone).
    while (fr.down_on && next_o < p.Ho) {
      const int two = next_o + 1 < p.Ho ? 2 : 1;
      if ((next_o + two - 1) * p.dy + nrows - 1 > t) break;
      PassRows rs[2];
      for (int i = 0; i < two; ++i) {
        const int base = (next_o + i) * p.dy;
        const float** ra = (i ? rows_n : rows).data();
        const float** rb = (i ? rows2_n : rows2).data();
        for (int k = 0; k < nrows - npair; ++k) {
          ra[k] = D.row(base + k);
          rb[k] = k < npair ? D.row(base + nrows - 1 - k) : nullptr;
        }
        rs[i] = PassRows{ra, rb, i ? yrow_n : yrow};
      }
      strided_passes<CB>(fr.down, nrows - npair, radp.data(), p.coef, two, rs);
      for (int i = 0; i < two; ++i, ++next_o)
        store_pixels<CB>(i ? yrow_n : yrow, p.C, cw, p.Wo, y + ((size_t(n) * p.Ho + next_o) * p.Wo) * p.C + c0);
    }
    for (; !fr.down_on && next_o < p.Ho && next_o * p.dy + nrows - 1 <= t; ++next_o) {
      // A symmetric filter's rows a and rows-1-a are one pass over the sum of their input rows.
      const int base = next_o * p.dy;
      int k = 0;
      for (; k < npair; ++k) {
        add_rows(D.row(base + k), D.row(base + nrows - 1 - k), rowU, pairs + size_t(k) * rowU);
        rowp[k] = &p.rows[k];
        rows[k] = pairs + size_t(k) * rowU;
      }
      for (int r = npair; r < nrows - npair; ++r, ++k) {
        rowp[k] = &p.rows[r];
        rows[k] = D.row(base + r);
      }
      gather_rows<CB>(k, rowp.data(), rows.data(), p.coef, yrow, false, p.rows_blocks);
      store_pixels<CB>(yrow, p.C, cw, p.Wo, y + ((size_t(n) * p.Ho + next_o) * p.Wo) * p.C + c0);
    }
  }
}

// The gradient, every pass transposed and in gather form (register-blocked strided runs where
// they pay) except the y-pass of the up filter: each activation row's gradient dA[t] goes through
// the transposed x-pass first (to a narrow row) and is then scattered, dU[s0 + j] += c * xup^T dA[t],
// into a ring of narrow rows (L1); a dU row that no later row t reaches is final and is stored.
struct BwdRuns {
  StridedPlan xupT, dA;  // dA: xdown^T (separable) or the radial rows' transposes (every subset)
  bool xupT_on = false, dA_on = false;
  bool pair_on = false;  // radial: activation rows 2m and 2m + 1 from the same dY rows (strided_pair)
  // The transposed y-pass of the up filter as a gather over a ring of `ring` narrow rows (one
  // register-accumulated combination and one store per dU row instead of a load, FMA and store
  // per tap): dU[h] = sum_j ycoef[yoff[h] + j] * xupT(dA[yt0[h] + j]), j < ycnt[h], in t order
  // (the scatter's summation order). Off where an input row's activation rows are not contiguous.
  std::vector<int> yt0, ycnt, yoff;
  std::vector<float> ycoef;
  int ring = 0;
  bool yT_on = false;
};

// Builds BwdRuns' gather form of yup^T from yup's table: row h is read by the activation rows t
// with s0(t) <= h < s0(t) + cnt(t) (ascending t); dU row h is emitted once the last of them (and
// of every earlier h's) is done, so the ring must span from h's first row to that point.
void plan_yup_t(const FlreluPlan& p, BwdRuns& br) {
  std::vector<std::vector<std::pair<int, float>>> in(p.H);
  for (int t = 0; t < p.Th; ++t) {
    const int32_t* e = p.yup.tab + 3 * t;
    for (int j = 0; j < e[1]; ++j) in[e[0] + j].push_back({t, p.coef[e[2] + j]});
  }
  int last = -1, ring = 1;
  for (int h = 0; h < p.H; ++h) {
    br.yt0.push_back(in[h].empty() ? 0 : in[h][0].first);
    br.ycnt.push_back(int(in[h].size()));
    br.yoff.push_back(int(br.ycoef.size()));
    for (size_t j = 0; j < in[h].size(); ++j) {
      if (in[h][j].first != br.yt0[h] + int(j)) return;  // not contiguous: keep the scatter
      br.ycoef.push_back(in[h][j].second);
    }
    if (in[h].empty()) continue;
    last = std::max(last, in[h].back().first);
    ring = std::max(ring, last - br.yt0[h] + 1);
  }
  br.ring = ring;
  br.yT_on = ring <= 32;
}

template <int CB>
void backward_task(const FlreluPlan& p, const BwdRuns& br, int n, int c0, const float* dy, const uint32_t* codes, float* dx) {
  const int cw = std::min(CB, p.C - c0);
  // dY rows (and dB) with kRunPad zero pixels on each side: the dA runs extend over the borders
  const size_t rowX = size_t(p.W) * CB, rowU = size_t(p.Tw) * CB, rowY = size_t(p.Wo + 2 * kRunPad) * CB, pad = kRunPad * CB;
  const int ru = br.yT_on ? br.ring + 1 : max_count(p.yup);
  float* dY = scratch.get(size_t(p.Ho) * rowY + rowY + 2 * rowU + rowX + size_t(ru) * rowX);
  float* brow = dY + size_t(p.Ho) * rowY;
  float* arow2 = brow + rowY;  // dA[t + 1] when strided_pair computed it with dA[t]
  float* arow = arow2 + rowU;
  float* xrow = arow + rowU;
  const Ring U{xrow + rowX, ru, rowX};
  const int nrows = int(p.rowsT.size());
  std::vector<const float*> rows(std::max({max_count(p.radial ? p.yup : p.ydownT), nrows, br.ring})), none(std::max(nrows, 1), nullptr);
  std::vector<const FlPass*> rowp(nrows), rowp1(nrows);
  const int half = nrows / 2;  // strided_pair: rows t = 2m (filter rows 2k) and t + 1 (2k + 1) read dY[m - k], k < half
  const FlPass* xuptp = &p.xupT;
  const FlPass* xdowntp = &p.xdownT;
  const Act act(p);
  for (int oy = 0; oy < p.Ho; ++oy) {  // dY, CB-wide
    float* r = dY + oy * rowY;
    std::memset(r, 0, pad * sizeof(float));
    load_pixels<CB>(dy + (size_t(n) * p.Ho + oy) * p.Wo * p.C + c0, p.C, cw, p.Wo, nullptr, r + pad);
    std::memset(r + rowY - pad, 0, pad * sizeof(float));
  }
  int zeroed = 0, done = 0;  // dU rows [done, zeroed) are live in the ring
  auto finish = [&](int upto) {  // dU rows below upto are complete
    for (; done < upto; ++done) {
      if (done >= zeroed) { std::memset(U.row(done), 0, rowX * sizeof(float)); zeroed = done + 1; }
      store_pixels<CB>(U.row(done), p.C, cw, p.W, dx + ((size_t(n) * p.H + done) * p.W) * p.C + c0);
    }
  };
  const Ring XR{U.base, br.ring, rowX};  // yT_on: xup^T dA[t] in ring rows, dU[h] built in the row after them
  float* urow = U.base + size_t(br.ring) * rowX;
  int next_h = 0;
  auto emit = [&](int t) {  // dU rows whose activation rows are all done by row t
    for (; next_h < p.H; ++next_h) {
      const int h = next_h, cnt = br.ycnt[h];
      if (cnt && br.yt0[h] + cnt - 1 > t) break;
      for (int j = 0; j < cnt; ++j) rows[j] = XR.row(br.yt0[h] + j);
      combine(cnt, br.ycoef.data() + br.yoff[h], rows.data(), rowX, urow);
      store_pixels<CB>(urow, p.C, cw, p.W, dx + ((size_t(n) * p.H + h) * p.W) * p.C + c0);
    }
  };
  bool have_next = false;
  for (int t = 0; t < p.Th; ++t) {
    if (have_next) {
      std::swap(arow, arow2);
      have_next = false;
    } else if (br.pair_on && t % 2 == 0 && t + 1 < p.Th && t / 2 >= half - 1 && t / 2 < p.Ho) {
      for (int k = 0; k < half; ++k) {
        rowp[k] = &p.rowsT[2 * k];
        rowp1[k] = &p.rowsT[2 * k + 1];
        rows[k] = dY + (t / 2 - k) * rowY + pad;
      }
      strided_pair<CB>(br.dA, half, rowp.data(), rowp1.data(), p.coef, rows.data(), arow, arow2);
      have_next = true;
    } else if (!p.radial) {  // dB[t] = ydown^T dY, then dA[t] = xdown^T dB[t]
      const int32_t* d = p.ydownT.tab + 3 * t;
      for (int j = 0; j < d[1]; ++j) rows[j] = dY + size_t(d[0] + j) * rowY;
      combine(d[1], p.coef + d[2], rows.data(), rowY, brow);  // the zero padding as well
      const float* bp = brow + pad;
      if (br.dA_on) strided_passes<CB>(br.dA, 1, &xdowntp, p.coef, &bp, none.data(), arow);
      else gather_row<CB>(p.xdownT, p.coef, bp, arow, false);
    } else {  // dA[t] = sum over the filter rows a that read activation row t = o*dy + a
      int k = 0;
      for (int a = 0; a < int(p.rowsT.size()); ++a) {
        const int oy = (t - a) / p.dy;
        if (t < a || (t - a) % p.dy || oy >= p.Ho) continue;
        rowp[k] = &p.rowsT[a];
        rows[k++] = dY + oy * rowY + pad;
      }
      if (k == 0) std::memset(arow, 0, rowU * sizeof(float));
      else if (br.dA_on) strided_passes<CB>(br.dA, k, rowp.data(), p.coef, rows.data(), none.data(), arow);
      else gather_rows<CB>(k, rowp.data(), rows.data(), p.coef, arow, false, p.rowsT_blocks);
    }
    const int32_t* e = p.yup.tab + 3 * t;  // transposed y-pass of the up filter, scattered
    if (e[1] == 0) continue;                // no input row reads this activation row
    activate<CB>(act, arow, p.Tw, cw, code_row(p, const_cast<uint32_t*>(codes), n, c0, t), size_t(p.Th) * p.Tw, true);
    const float* ap = arow;
    float* xr = br.yT_on ? XR.row(t) : xrow;
    if (br.xupT_on) strided_passes<CB>(br.xupT, 1, &xuptp, p.coef, &ap, none.data(), xr);
    else gather_row<CB>(p.xupT, p.coef, arow, xr, false);
    if (br.yT_on) { emit(t); continue; }
    finish(e[0]);
    for (; zeroed < e[0] + e[1]; ++zeroed) std::memset(U.row(zeroed), 0, rowX * sizeof(float));
    for (int j = 0; j < e[1]; ++j) axpy(U.row(e[0] + j), xrow, p.coef[e[2] + j], rowX);
  }
  if (br.yT_on) emit(p.Th);
  else finish(p.H);
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
  const FlPass* pp = &P;
  P.blocks = schedule(1, &pp);
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
    p.paired = true;
    for (int a = 0; a < nrows / 2; ++a)
      p.paired &= std::memcmp(p.rows[a].tab, p.rows[nrows - 1 - a].tab, sizeof(int32_t) * 3 * p.Wo) == 0;
  }
  p.xupT = read_pass(it, end, p.W, p.Tw, ncoef, "xup^T");
  if (!p.radial) {
    p.xdownT = read_pass(it, end, p.Tw, p.Wo, ncoef, "xdown^T");
    p.ydownT = read_pass(it, end, p.Th, p.Ho, ncoef, "ydown^T");
  } else {
    for (int a = 0; a < nrows; ++a) p.rowsT.push_back(read_pass(it, end, p.Tw, p.Wo, ncoef, "radial row^T"));
  }
  if (it != end) throw std::invalid_argument("flrelu table: trailing entries");
  if (p.radial) {  // one schedule valid for every row (and every subset of rows) of the 2-D filter
    std::vector<const FlPass*> rp, rtp;
    for (const FlPass& r : p.rows) rp.push_back(&r);
    for (const FlPass& r : p.rowsT) rtp.push_back(&r);
    p.rows_blocks = schedule(int(rp.size()), rp.data());
    p.rowsT_blocks = schedule(int(rtp.size()), rtp.data());
  }
  return p;
}

void flrelu_forward(const FlreluPlan& p, const float* x, const float* b, float* y, uint32_t* codes, bool masked) {
  if (masked && !codes) throw std::invalid_argument("flrelu: the masked forward needs codes");
  FwdRuns fr;
  const FlPass* xp = &p.xup;
  fr.xup = strided_plan(1, &xp, p.coef);
  fr.xup_on = strided_pays(fr.xup, 1);
  std::vector<const FlPass*> dp;  // the radial rows as forward_task runs them: pairs, then the middle row
  const int nrows = int(p.rows.size());
  if (p.radial) for (int r = 0; r < nrows - (p.paired ? nrows / 2 : 0); ++r) dp.push_back(&p.rows[r]);
  else dp.push_back(&p.xdown);
  fr.down = strided_plan(int(dp.size()), dp.data(), p.coef);
  fr.down_on = strided_pays(fr.down, int(dp.size()));
  run_blocks(p, [&](int cb, int n, int c0) {
    if (cb == 32) forward_task<32>(p, fr, n, c0, x, b, y, codes, masked);
    else forward_task<16>(p, fr, n, c0, x, b, y, codes, masked);
  });
}

void flrelu_backward(const FlreluPlan& p, const float* dy, const uint32_t* codes, float* dx) {
  BwdRuns br;
  const FlPass* xp = &p.xupT;
  br.xupT = strided_plan(1, &xp, p.coef);
  br.xupT_on = strided_pays(br.xupT, 1);
  std::vector<const FlPass*> dp;  // every radial row's transpose: a run of all of them is a run of any subset
  if (p.radial) for (const FlPass& r : p.rowsT) dp.push_back(&r);
  else dp.push_back(&p.xdownT);
  br.dA = strided_plan(int(dp.size()), dp.data(), p.coef, true, kRunPad);
  br.dA_on = strided_pays(br.dA, int(dp.size()));
  plan_yup_t(p, br);
  const int nrows = int(p.rowsT.size());  // strided_pair needs rowsT[a] == rowsT[nrows-1-a] (the symmetric filter's tables)
  br.pair_on = p.radial && br.dA_on && p.dy == 2 && nrows % 4 == 0;
  for (int a = 0; br.pair_on && a < nrows / 2; ++a)
    br.pair_on = std::memcmp(p.rowsT[a].tab, p.rowsT[nrows - 1 - a].tab, sizeof(int32_t) * 3 * p.Tw) == 0;
  run_blocks(p, [&](int cb, int n, int c0) {
    if (cb == 32) backward_task<32>(p, br, n, c0, dy, codes, dx);
    else backward_task<16>(p, br, n, c0, dy, codes, dx);
  });
}

}  // namespace sg3
