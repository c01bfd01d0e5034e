// Register-tiled micro-kernels, one set per instruction set, chosen at compile time
// (the addon is built with -march=native on the machine that runs it).
//
//  igemm_tile:  C[MR rows, NR cols] (=|+=) sum_t sum_k A_t[r][aoff + k] * Bp[t*klen + k][0:NR]
//               A rows come through pointers (indirect GEMM: no im2col buffer), Bp is packed
//               [k][NR] and 64-byte aligned. Rows are the output pixels, columns the channels.
//  reduce_tile: C[RR rows, NR cols] (=|+=) sum_m a[m][0:RR]^T * b[m*ldb + 0:NR]
//               a[m] points at RR contiguous floats, b rows are read in place (filter gradients).
// Both keep the whole tile in registers and touch C once; `ncols`/`nrows` < the tile size only
// limits what is stored. IEEE float32 throughout (FMA, no reassociation across k).
#pragma once
#include <cstddef>
#include <cstring>
#if defined(__AVX512F__)
#include <immintrin.h>
#endif

namespace sg3 {

#if defined(__AVX512F__)

constexpr int MR = 8, NR = 32, RR = 8;
inline const char* ukernel_isa() { return "avx512"; }

inline __mmask16 col_mask(int ncols, int half) {
  int n = ncols - 16 * half;
  return n >= 16 ? __mmask16(0xFFFF) : n <= 0 ? __mmask16(0) : __mmask16((1u << n) - 1);
}

inline void store_tile(float* const* c, int col0, int nrows, int ncols, bool accumulate, __m512 (&acc)[8][2]) {
  const __mmask16 m0 = col_mask(ncols, 0), m1 = col_mask(ncols, 1);
  for (int r = 0; r < nrows; ++r) {
    float* cr = c[r] + col0;
    if (accumulate) {
      acc[r][0] = _mm512_add_ps(acc[r][0], _mm512_maskz_loadu_ps(m0, cr));
      acc[r][1] = _mm512_add_ps(acc[r][1], _mm512_maskz_loadu_ps(m1, cr + 16));
    }
    _mm512_mask_storeu_ps(cr, m0, acc[r][0]);
    _mm512_mask_storeu_ps(cr + 16, m1, acc[r][1]);
  }
}

inline void igemm_tile(int ntaps, int klen, const float* const* a, ptrdiff_t aoff, const float* __restrict bp,
                       float* const* c, int col0, int nrows, int ncols, bool accumulate) {
  __m512 acc[8][2];
  for (int r = 0; r < 8; ++r) acc[r][0] = acc[r][1] = _mm512_setzero_ps();
  for (int t = 0; t < ntaps; ++t, a += MR) {
    const float *a0 = a[0] + aoff, *a1 = a[1] + aoff, *a2 = a[2] + aoff, *a3 = a[3] + aoff;
    const float *a4 = a[4] + aoff, *a5 = a[5] + aoff, *a6 = a[6] + aoff, *a7 = a[7] + aoff;
    for (int k = 0; k < klen; ++k, bp += NR) {
      const __m512 b0 = _mm512_load_ps(bp), b1 = _mm512_load_ps(bp + 16);
#define SG3_ROW(r)                                              \
  {                                                             \
    const __m512 av = _mm512_set1_ps(a##r[k]);                  \
    acc[r][0] = _mm512_fmadd_ps(av, b0, acc[r][0]);             \
    acc[r][1] = _mm512_fmadd_ps(av, b1, acc[r][1]);             \
  }
      SG3_ROW(0) SG3_ROW(1) SG3_ROW(2) SG3_ROW(3) SG3_ROW(4) SG3_ROW(5) SG3_ROW(6) SG3_ROW(7)
#undef SG3_ROW
    }
  }
  store_tile(c, col0, nrows, ncols, accumulate, acc);
}

inline void reduce_tile(int count, const float* const* a, const float* __restrict b, ptrdiff_t ldb,
                        float* const* c, int col0, int nrows, int ncols, bool accumulate) {
  __m512 acc[8][2];
  for (int r = 0; r < 8; ++r) acc[r][0] = acc[r][1] = _mm512_setzero_ps();
  for (int m = 0; m < count; ++m, b += ldb) {
    const float* am = a[m];
    const __m512 b0 = _mm512_loadu_ps(b), b1 = _mm512_loadu_ps(b + 16);
#define SG3_ROW(r)                                              \
  {                                                             \
    const __m512 av = _mm512_set1_ps(am[r]);                    \
    acc[r][0] = _mm512_fmadd_ps(av, b0, acc[r][0]);             \
    acc[r][1] = _mm512_fmadd_ps(av, b1, acc[r][1]);             \
  }
    SG3_ROW(0) SG3_ROW(1) SG3_ROW(2) SG3_ROW(3) SG3_ROW(4) SG3_ROW(5) SG3_ROW(6) SG3_ROW(7)
#undef SG3_ROW
  }
  store_tile(c, col0, nrows, ncols, accumulate, acc);
}

#else  // portable: GCC vector extensions (AVX2/FMA with -march=native on x86, NEON pairs on ARM)

constexpr int MR = 6, NR = 16, RR = 6;
inline const char* ukernel_isa() {
#if defined(__AVX2__) && defined(__FMA__)
  return "avx2";
#else
  return "generic";
#endif
}
typedef float v8 __attribute__((vector_size(32)));

inline v8 load8(const float* p) { v8 v; std::memcpy(&v, p, sizeof v); return v; }
inline v8 splat8(float s) { return v8{s, s, s, s, s, s, s, s}; }

inline void store_tile(float* const* c, int col0, int nrows, int ncols, bool accumulate, v8 (&acc)[6][2]) {
  for (int r = 0; r < nrows; ++r) {
    float tile[NR];
    std::memcpy(tile, &acc[r][0], sizeof(v8));
    std::memcpy(tile + 8, &acc[r][1], sizeof(v8));
    float* cr = c[r] + col0;
    if (accumulate) for (int j = 0; j < ncols; ++j) cr[j] += tile[j];
    else std::memcpy(cr, tile, sizeof(float) * ncols);
  }
}

inline void igemm_tile(int ntaps, int klen, const float* const* a, ptrdiff_t aoff, const float* __restrict bp,
                       float* const* c, int col0, int nrows, int ncols, bool accumulate) {
  v8 acc[6][2] = {};
  for (int t = 0; t < ntaps; ++t, a += MR) {
    const float* ar[6];
    for (int r = 0; r < 6; ++r) ar[r] = a[r] + aoff;
    for (int k = 0; k < klen; ++k, bp += NR) {
      const v8 b0 = load8(bp), b1 = load8(bp + 8);
      for (int r = 0; r < 6; ++r) {
        const v8 av = splat8(ar[r][k]);
        acc[r][0] += av * b0;
        acc[r][1] += av * b1;
      }
    }
  }
  store_tile(c, col0, nrows, ncols, accumulate, acc);
}

inline void reduce_tile(int count, const float* const* a, const float* __restrict b, ptrdiff_t ldb,
                        float* const* c, int col0, int nrows, int ncols, bool accumulate) {
  v8 acc[6][2] = {};
  for (int m = 0; m < count; ++m, b += ldb) {
    const float* am = a[m];
    const v8 b0 = load8(b), b1 = load8(b + 8);
    for (int r = 0; r < 6; ++r) {
      const v8 av = splat8(am[r]);
      acc[r][0] += av * b0;
      acc[r][1] += av * b1;
    }
  }
  store_tile(c, col0, nrows, ncols, accumulate, acc);
}

#endif

}  // namespace sg3
