// Transpose of 4-byte elements (tfjs `Transpose` on the wasm backend, float32 and int32). The JS
// side first drops size-1 dims and merges input dims that stay adjacent and in order, so here
// every output dim is a distinct input dim and the innermost ones differ unless only whole runs
// move. Two cases:
//   the innermost dim stays innermost: copy contiguous runs;
//   otherwise: square tiles between the input's innermost dim and the output's innermost dim, so
//   both sides are read and written a cache line at a time (a plain strided loop misses on every
//   element of one side: wasm's kernel takes ~3.5 ns per element on a [3,3,128,128] filter).
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <vector>

#include "sg3native.h"

namespace sg3 {

void transpose(const uint32_t* x, uint32_t* y, int rank, const int* shape, const int* perm) {
  std::vector<size_t> in_stride(rank), out_shape(rank), out_stride(rank);
  size_t total = 1;
  for (int d = rank - 1; d >= 0; --d) { in_stride[d] = total; total *= size_t(shape[d]); }
  for (int i = 0; i < rank; ++i) out_shape[i] = size_t(shape[perm[i]]);
  size_t s = 1;
  for (int i = rank - 1; i >= 0; --i) { out_stride[i] = s; s *= out_shape[i]; }
  if (total == 0) return;
  // Output dims other than `skip_a` and `skip_b` are walked by one flat outer index.
  auto outer_offsets = [&](size_t flat, int skip_a, int skip_b, size_t& in_off, size_t& out_off) {
    in_off = out_off = 0;
    for (int i = rank - 1; i >= 0; --i) {
      if (i == skip_a || i == skip_b) continue;
      const size_t coord = flat % out_shape[i];
      flat /= out_shape[i];
      in_off += coord * in_stride[perm[i]];
      out_off += coord * out_stride[i];
    }
  };
  if (rank == 0 || perm[rank - 1] == rank - 1) {
    const size_t run = rank == 0 ? 1 : out_shape[rank - 1], runs = total / run;
    const size_t per_task = std::max<size_t>(1, 16384 / run);
    parallel_for(int((runs + per_task - 1) / per_task), [&](int t, int) {
      for (size_t r = size_t(t) * per_task; r < std::min(runs, (size_t(t) + 1) * per_task); ++r) {
        size_t in_off, out_off;
        outer_offsets(r, rank - 1, -1, in_off, out_off);
        std::memcpy(y + out_off, x + in_off, run * sizeof(uint32_t));
      }
    }, double(total));
    return;
  }
  // q: the output position of the input's innermost dim; the output's innermost is input dim perm[rank-1].
  const int q = int(std::find(perm, perm + rank, rank - 1) - perm), last = rank - 1;
  const size_t rows = out_shape[q], cols = out_shape[last];          // tile plane: (input innermost, output innermost)
  const size_t in_col_stride = in_stride[perm[last]], out_row_stride = out_stride[q];
  constexpr size_t T = 16;
  const size_t row_tiles = (rows + T - 1) / T, outer = total / (rows * cols);
  parallel_for(int(outer * row_tiles), [&](int t, int) {
    const size_t o = size_t(t) / row_tiles, r0 = (size_t(t) % row_tiles) * T, r1 = std::min(rows, r0 + T);
    size_t in_off, out_off;
    outer_offsets(o, q, last, in_off, out_off);
    for (size_t c0 = 0; c0 < cols; c0 += T) {
      const size_t c1 = std::min(cols, c0 + T);
      for (size_t r = r0; r < r1; ++r) {
        uint32_t* dst = y + out_off + r * out_row_stride;
        const uint32_t* src = x + in_off + r;
        for (size_t c = c0; c < c1; ++c) dst[c] = src[c * in_col_stride];
      }
    }
  }, double(total));
}

}  // namespace sg3
