// The two GEMM drivers over the micro-kernels of ukernel.h, and B packing.
//
// igemm (forward conv, input gradient, plain GEMM): rows = output pixels, columns = output
// channels, reduction over (tap, input channel). Work is split into tasks of MC rows (times a
// group of NR-column panels when there are few row blocks); inside a task the reduction is cut
// into K blocks of about KC so that one packed B block (KC x NR) stays in L1 while every MR-row
// micro-block of the task streams past it.
//
// reduce_gemm (filter gradients): rows = (tap, input channel), columns = output channels,
// reduction over pixels, in chunks of MCH pixels so that a chunk of dy stays in L2 while all
// tiles use it. Threads split the tiles, or, when there are too few tiles, the pixels (each
// with a private partial result summed at the end, in a fixed order).
#include <algorithm>
#include <cstdlib>
#include <memory>
#include <new>
#include <vector>

#include "sg3native.h"
#include "ukernel.h"

namespace sg3 {
namespace {

constexpr int KC = 256;     // reduction block (floats): KC*NR*4 bytes of B per panel in L1
constexpr int MC_MAX = 192; // rows per igemm task
constexpr int MCH = 256;    // pixels per reduce_gemm chunk

template <typename T>
T* aligned_new(size_t n) {
  void* p = std::aligned_alloc(64, ((n * sizeof(T) + 63) / 64) * 64 + 64);
  if (!p) throw std::bad_alloc();
  return static_cast<T*>(p);
}

struct Free { void operator()(void* p) const { std::free(p); } };

int ceil_div(int a, int b) { return (a + b - 1) / b; }

// A reduction block: taps [t0, t0+ntaps), channels [k0, k0+klen) of each.
struct KBlock { int t0, ntaps, k0, klen; };

std::vector<KBlock> split_k(int ntaps, int kt) {
  std::vector<KBlock> out;
  if (kt >= KC) {
    const int pieces = ceil_div(kt, KC), len = ceil_div(kt, pieces);
    for (int t = 0; t < ntaps; ++t)
      for (int k0 = 0; k0 < kt; k0 += len) out.push_back({t, 1, k0, std::min(len, kt - k0)});
  } else {
    const int group = std::max(1, KC / std::max(kt, 1));
    for (int t = 0; t < ntaps; t += group) out.push_back({t, std::min(group, ntaps - t), 0, kt});
  }
  return out;
}

}  // namespace

PackedB::~PackedB() { std::free(data); }

void pack_b(PackedB& out, int K, int N, const std::function<void(int k, int j0, int j1, float* dst)>& row) {
  std::free(out.data);
  out.K = K;
  out.N = N;
  out.panels = ceil_div(N, NR);
  out.data = aligned_new<float>(size_t(out.panels) * K * NR);
  for (int p = 0; p < out.panels; ++p) {
    const int j0 = p * NR, j1 = std::min(N, j0 + NR);
    float* panel = out.data + size_t(p) * K * NR;
    for (int k = 0; k < K; ++k) {
      float* dst = panel + size_t(k) * NR;
      row(k, j0, j1, dst);
      std::fill(dst + (j1 - j0), dst + NR, 0.0f);
    }
  }
}

void igemm(const IndirectRows& p, const PackedB& b) {
  if (p.M <= 0 || p.N <= 0) return;
  const double work = double(p.M) * p.N * p.ntaps * p.kt;
  const int K = p.ntaps * p.kt, threads = threads_for(work);
  const std::vector<KBlock> kblocks = split_k(p.ntaps, p.kt);
  std::unique_ptr<float, Free> zeros(aligned_new<float>(size_t(p.kt) + 16));
  std::fill(zeros.get(), zeros.get() + p.kt + 16, 0.0f);
  // Row tasks: enough for ~4 per thread, each at most MC_MAX rows; split panels when rows are few.
  const int mblocks = ceil_div(p.M, MR);
  const int per_task = std::clamp(ceil_div(mblocks, 4 * threads), 1, MC_MAX / MR);
  const int mtasks = ceil_div(mblocks, per_task);
  const int groups = mtasks >= 2 * threads ? 1 : std::min(b.panels, ceil_div(2 * threads, mtasks));
  const int panels_per_group = ceil_div(b.panels, groups);
  parallel_for(mtasks * groups, [&](int task, int) {
    const int mt = task / groups, g = task % groups;
    const int blk0 = mt * per_task, nblk = std::min(per_task, mblocks - blk0);
    const int pan0 = g * panels_per_group, pan1 = std::min(b.panels, pan0 + panels_per_group);
    if (pan0 >= pan1) return;
    // Indirection for every micro-block of the task: ind[(i*ntaps + t)*MR + r], crow[i*MR + r].
    thread_local std::vector<const float*> ind;
    thread_local std::vector<float*> crow;
    thread_local std::vector<float> dummy;  // output rows past M land here
    ind.assign(size_t(nblk) * p.ntaps * MR, zeros.get());
    crow.assign(size_t(nblk) * MR, nullptr);
    dummy.resize(size_t(b.panels) * NR);
    for (int i = 0; i < nblk; ++i) {
      for (int r = 0; r < MR; ++r) {
        const int m = (blk0 + i) * MR + r;
        const float** a = &ind[size_t(i) * p.ntaps * MR + r];
        if (m >= p.M) { crow[i * MR + r] = dummy.data(); continue; }
        p.rows(m, a, MR, &crow[i * MR + r]);
        for (int t = 0; t < p.ntaps; ++t) if (!a[t * MR]) a[t * MR] = zeros.get();
      }
    }
    for (size_t kb = 0; kb < kblocks.size(); ++kb) {
      const KBlock& k = kblocks[kb];
      for (int pan = pan0; pan < pan1; ++pan) {
        const float* bp = b.data + size_t(pan) * K * NR + (size_t(k.t0) * p.kt + k.k0) * NR;
        const int ncols = std::min(NR, p.N - pan * NR);
        for (int i = 0; i < nblk; ++i) {
          const int nrows = std::min(MR, p.M - (blk0 + i) * MR);
          igemm_tile(k.ntaps, k.klen, &ind[(size_t(i) * p.ntaps + k.t0) * MR], k.k0, bp,
                     &crow[i * MR], pan * NR, nrows, ncols, kb > 0);
        }
      }
    }
  }, work);
}

namespace {

// One reduce_gemm task: pixels [m0, m1) into `out` for tiles [tile0, tile1) (tile = tap, RR-channel block).
void reduce_task(const ReduceProblem& p, int m0, int m1, int tile0, int tile1, float* out, const float* zeros) {
  const int cblocks = ceil_div(p.kc, RR), panels = ceil_div(p.N, NR);
  const int edge_cols = p.N % NR;
  thread_local std::vector<const float*> rows, ap;
  thread_local std::vector<float> a_edge, b_edge;
  rows.resize(MCH);
  ap.resize(MCH);
  a_edge.resize(size_t(MCH) * RR);
  b_edge.resize(size_t(MCH) * NR);
  for (int c0 = m0; c0 < m1; c0 += MCH) {
    const int count = std::min(MCH, m1 - c0);
    const bool accumulate = c0 > m0;
    if (edge_cols) {  // the last panel's dy columns, zero-padded to NR (kernels read NR floats)
      const int j0 = (panels - 1) * NR;
      for (int m = 0; m < count; ++m) {
        float* dst = &b_edge[size_t(m) * NR];
        const float* src = p.d + size_t(c0 + m) * p.ldd + j0;
        std::copy(src, src + edge_cols, dst);
        std::fill(dst + edge_cols, dst + NR, 0.0f);
      }
    }
    int last_tap = -1;
    for (int tile = tile0; tile < tile1; ++tile) {
      const int t = tile / cblocks, ci0 = (tile % cblocks) * RR, nrows = std::min(RR, p.kc - ci0);
      if (t != last_tap) {
        for (int m = 0; m < count; ++m) rows[m] = p.arow(c0 + m, t);
        last_tap = t;
      }
      for (int m = 0; m < count; ++m) {
        const float* r = rows[m];
        if (!r) { ap[m] = zeros; continue; }
        if (nrows == RR) { ap[m] = r + ci0; continue; }
        float* dst = &a_edge[size_t(m) * RR];  // a partial channel block, zero-padded to RR
        std::copy(r + ci0, r + ci0 + nrows, dst);
        std::fill(dst + nrows, dst + RR, 0.0f);
        ap[m] = dst;
      }
      float* crow[RR];
      for (int r = 0; r < RR; ++r) crow[r] = out + size_t(t * p.kc + ci0 + std::min(r, nrows - 1)) * p.N;
      for (int pan = 0; pan < panels; ++pan) {
        const int ncols = std::min(NR, p.N - pan * NR);
        const bool edge = ncols < NR;
        const float* b = edge ? b_edge.data() : p.d + size_t(c0) * p.ldd + pan * NR;
        reduce_tile(count, ap.data(), b, edge ? NR : p.ldd, crow, pan * NR, nrows, ncols, accumulate);
      }
    }
  }
}

}  // namespace

void reduce_gemm(const ReduceProblem& p) {
  const size_t csize = size_t(p.ntaps) * p.kc * p.N;
  if (p.M <= 0) { std::fill(p.c, p.c + csize, 0.0f); return; }
  const double work = double(p.M) * p.N * p.ntaps * p.kc;
  const int threads = threads_for(work), tiles = p.ntaps * ceil_div(p.kc, RR), chunks = ceil_div(p.M, MCH);
  std::unique_ptr<float, Free> zeros(aligned_new<float>(RR + 16));
  std::fill(zeros.get(), zeros.get() + RR + 16, 0.0f);
  // Split tiles when there are enough of them, else split pixels with private partials.
  const int groups = tiles >= 2 * threads ? std::min(tiles, threads) : 1;
  const int parts = groups > 1 ? 1 : std::min(threads, chunks);
  std::unique_ptr<float, Free> partial(parts > 1 ? aligned_new<float>(csize * (parts - 1)) : nullptr);
  const int tiles_per_group = ceil_div(tiles, groups), chunks_per_part = ceil_div(chunks, parts);
  parallel_for(groups * parts, [&](int task, int) {
    const int g = task % groups, part = task / groups;
    const int m0 = std::min(p.M, part * chunks_per_part * MCH), m1 = std::min(p.M, (part + 1) * chunks_per_part * MCH);
    const int t0 = g * tiles_per_group, t1 = std::min(tiles, t0 + tiles_per_group);
    float* out = part == 0 ? p.c : partial.get() + csize * (part - 1);
    if (m0 >= m1) { std::fill(out, out + csize, 0.0f); return; }
    if (t0 < t1) reduce_task(p, m0, m1, t0, t1, out, zeros.get());
  }, work);
  if (parts > 1) {
    const int slices = threads * 4;
    const size_t slice = (csize + slices - 1) / slices;
    parallel_for(slices, [&](int s, int) {
      const size_t i0 = std::min(csize, s * slice), i1 = std::min(csize, i0 + slice);
      for (int part = 1; part < parts; ++part) {
        const float* src = partial.get() + csize * (part - 1);
        for (size_t i = i0; i < i1; ++i) p.c[i] += src[i];
      }
    }, double(csize) * (parts - 1));
  }
}

void gemm(int M, int N, int K, const float* a, const float* b, float* c) {
  PackedB pb;
  pack_b(pb, K, N, [&](int k, int j0, int j1, float* dst) { std::copy(b + size_t(k) * N + j0, b + size_t(k) * N + j1, dst); });
  IndirectRows rows{M, N, 1, K, [&](int m, const float** ap, int, float** cp) {
    ap[0] = a + size_t(m) * K;
    *cp = c + size_t(m) * N;
  }};
  igemm(rows, pb);
}

const char* isa_name() { return ukernel_isa(); }

}  // namespace sg3
