// sg3native: NHWC float32 convolution kernels for the tfjs wasm backend (see src/backend/native/).
// Shared declarations of the thread pool, the two GEMM drivers and the convolution entry points.
// Every tensor is NHWC (tfjs layout), every filter HWIO [fh, fw, in_c, out_c] (depthwise:
// [fh, fw, in_c, mult]); the official NCHW/OIHW layouts never reach this code.
#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

namespace sg3 {

// ---- thread pool (pool.cc) ----
// Threads: SG3_THREADS if set (>= 1), else the CPUs this process may run on.
int pool_size();
// Runs fn(task, thread) for task in [0, ntasks) on the pool; the caller is thread 0 and the call
// returns when every task is done. Calls are serialised (one parallel region at a time).
// `work` (about the multiply-adds of the whole loop): below kSerialWork the loop runs on the
// caller alone, since waking a worker costs more than it saves.
constexpr double kSerialWork = 1 << 19;
void parallel_for(int ntasks, const std::function<void(int task, int thread)>& fn, double work = 1e300);
// Threads a loop of `work` will use: 1 below kSerialWork, else pool_size().
int threads_for(double work);

// ---- geometry of one 2-D convolution, forward direction ----
// x [batch, in_h, in_w, in_c] * filter [f_h, f_w, in_c, out_c or mult] -> y [batch, out_h, out_w, out_c].
// Input pixel of output (oh, ow) and tap (fh, fw): ih = oh*stride_h - pad_top + fh*dil_h (same for w).
struct ConvGeom {
  int batch, in_h, in_w, in_c;
  int out_h, out_w, out_c;
  int f_h, f_w;
  int stride_h, stride_w, dil_h, dil_w;
  int pad_top, pad_left;
  int mult;  // depthwise channel multiplier (out_c == in_c * mult); 1 for a dense conv
};
// Number of int32 fields the JS side passes (in the order above).
constexpr int kGeomFields = 16;

// ---- GEMM drivers (gemm.cc) ----
// Indirect GEMM: C[m, 0:n] = sum_t sum_k A_t[m][k] * B[t*kt + k, 0:n] for m in [0, M).
// `rows(m, a, a_stride, c)` writes row m's tap pointers a[t*a_stride] (each kt floats; nullptr
// means zeros) and its output row pointer *c (n contiguous floats, overwritten).
struct IndirectRows {
  int M, N, ntaps, kt;
  std::function<void(int m, const float** a, int a_stride, float** c)> rows;
};
// Packs B (K = ntaps*kt rows, n columns) from b(k, j) into the layout the micro-kernel reads.
struct PackedB {
  float* data = nullptr;
  int K = 0, N = 0, panels = 0;
  ~PackedB();
};
void pack_b(PackedB& out, int K, int N, const std::function<void(int k, int j0, int j1, float* dst)>& row);
void igemm(const IndirectRows& p, const PackedB& b);

// Reduction GEMM (filter gradients): C[r, j] = sum_m A[m][r] * D[m, j] for r in [0, R), j in [0, N),
// with R = ntaps*kc. `arow(m, t)` returns A's row m for tap t (kc contiguous floats, nullptr = zeros),
// D rows are `d + m*ldd`, C is row-major [R, N] (overwritten).
struct ReduceProblem {
  int M, N, ntaps, kc;
  std::function<const float*(int m, int t)> arow;
  const float* d;
  int ldd;
  float* c;
};
void reduce_gemm(const ReduceProblem& p);

// Plain row-major GEMM C[M,N] = A[M,K] B[K,N] (the benchmark's peak measurement).
void gemm(int M, int N, int K, const float* a, const float* b, float* c);

// ---- batched matrix product (matmul.cc) ----
// C[i] = op(A[a_index[i]]) op(B[b_index[i]]), i in [0, batch): op(A) [M, K] (stored [K, M] when
// trans_a), op(B) [K, N] (stored [N, K] when trans_b), C [M, N], all row-major; A holds a_batch
// matrices and B b_batch (the index arrays are tfjs's batch broadcasting, flattened).
struct MatMulGeom {
  int batch, a_batch, b_batch, M, N, K;
  bool trans_a, trans_b;
  const int32_t* a_index;
  const int32_t* b_index;
};
void batch_matmul(const MatMulGeom& g, const float* a, const float* b, float* c);

// ---- convolutions (conv.cc, depthwise.cc) ----
void conv2d_forward(const ConvGeom& g, const float* x, const float* w, float* y);
void conv2d_backprop_input(const ConvGeom& g, const float* dy, const float* w, float* dx);
void conv2d_backprop_filter(const ConvGeom& g, const float* x, const float* dy, float* dw);
void depthwise_forward(const ConvGeom& g, const float* x, const float* w, float* y);
void depthwise_backprop_input(const ConvGeom& g, const float* dy, const float* w, float* dx);
void depthwise_backprop_filter(const ConvGeom& g, const float* x, const float* dy, float* dw);

// y[p, c] = act(y[p, c] + bias[c]) over rows*channels floats (bias may be nullptr), the epilogue of
// a fused convolution. act: 0 linear, 1 relu, 2 relu6, 3 leaky relu with slope alpha.
void bias_activation(float* y, const float* bias, size_t rows, int channels, int act, float alpha);

// ---- fused filtered leaky ReLU (flrelu.cc) ----
// A 1-D pass as a banded matrix: output o = sum_{j < count} coef[off + j] * input[s0 + j], with
// `tab` holding one (s0, count, off) triple per output.
// A pass's outputs in the order the kernel runs them: g outputs o, o+q, ..., o+(g-1)q at a time,
// the members of a group sharing tap count and coefficients (flrelu.cc gather_rows).
struct FlBlock {
  int o, q, g;
};
struct FlPass {
  int n_out, n_in;
  const int32_t* tab;
  std::vector<FlBlock> blocks;
};
// The int table the caller builds (src/backend/native/flrelu-plan.ts): a header of kFlreluHeader
// values [N, H, W, C, Th, Tw, Ho, Wo, radial, dy, rows], then each pass as (n_out, n_in, triples):
// xup [Tw x W], yup [Th x H], then xdown [Wo x Tw] and ydown [Ho x Th], or for a radial down
// filter `rows` x passes [Wo x Tw] (row a adds to output row o the filtered input row o*dy + a);
// then the transposes the gradient gathers with: xup^T [W x Tw], then xdown^T [Tw x Wo] and
// ydown^T [Th x Ho], or the rows' [Tw x Wo] each.
constexpr int kFlreluHeader = 11;
struct FlreluPlan {
  int N, H, W, C, Th, Tw, Ho, Wo, dy;
  bool radial;
  bool paired;  // radial rows a and rows-1-a have the same table (a symmetric filter)
  FlPass xup, yup, xdown, ydown, xupT, xdownT, ydownT;
  std::vector<FlPass> rows, rowsT;
  std::vector<FlBlock> rows_blocks, rowsT_blocks;  // one schedule for all rows of the radial filter
  const float* coef;
  size_t ncoef;
  float gain, slope, clamp;  // clamp < 0: none
};
// Parses and checks the tables (every entry in range); throws std::invalid_argument.
FlreluPlan flrelu_plan(const int32_t* itab, size_t n, const float* coef, size_t ncoef, float gain, float slope, float clamp);
// Words of activation codes: [N, ceil(C / 16), Th, Tw], 2 bits per element (0: > 0, 1: <= 0,
// 2: clamped), channel c in word c / 16: bit c % 16 set for code 1, bit 16 + c % 16 for code 2.
inline size_t flrelu_code_words(const FlreluPlan& p) { return size_t(p.N) * p.Th * p.Tw * ((p.C + 15) / 16); }
// x [N,H,W,C] (+ b [C]) -> y [N,Ho,Wo,C]; the codes are written when non-null; `masked` instead
// multiplies by gain * {1, slope, 0}[code] (a linear map).
void flrelu_forward(const FlreluPlan& p, const float* x, const float* b, float* y, uint32_t* codes, bool masked);
// dy [N,Ho,Wo,C] -> dx [N,H,W,C] (the gradient w.r.t. x, and x + b), given the forward's codes.
void flrelu_backward(const FlreluPlan& p, const float* dy, const uint32_t* codes, float* dx);

// ---- fused optimizer step (adam.cc) ----
// The scalars as float32, each rounded from the JS double as tfjs rounds a scalar operand.
struct AdamScalars {
  float beta1, one_minus_beta1, beta2, one_minus_beta2, bc2_sqrt, eps, step_size;
};
void adam_step(const AdamScalars& s, const float* p, const float* g, const float* m, const float* v,
               float* p_out, float* m_out, float* v_out, size_t n);

// ---- transpose (transpose.cc) ----
// y = x transposed by perm (y dim i = x dim perm[i]), 4-byte elements, row-major; rank <= 8.
void transpose(const uint32_t* x, uint32_t* y, int rank, const int* shape, const int* perm);

// ---- element-wise (unary.cc) ----
enum class UnaryOp { kSin = 0, kCos = 1 };
void unary(UnaryOp op, const float* x, float* y, size_t n);

// ---- reduction (reduce.cc) ----
// y[a, c] = sum_b x[a, b, c] for x viewed as [A, B, C] (a Sum over contiguous axes).
void sum_axes(const float* x, long A, long B, long C, float* y);

// Name of the micro-kernel instruction set compiled in ("avx512", "avx2", "generic").
const char* isa_name();

}  // namespace sg3
