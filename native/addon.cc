// N-API bindings (node's own node_api.h, no wrapper library). Every kernel takes Float32Array
// views (over the tfjs wasm heap: zero copy) and an Int32Array geometry of kGeomFields values in
// ConvGeom order, checks every view is long enough for the geometry (a short view must throw,
// never write past the wasm heap), runs synchronously and returns undefined.
#include <node_api.h>

#include <cstdint>
#include <exception>
#include <stdexcept>
#include <string>
#include <vector>

#include "sg3native.h"

namespace {

using sg3::ConvGeom;

struct ArgError : std::exception {
  std::string msg;
  explicit ArgError(std::string m) : msg(std::move(m)) {}
};

#define NAPI_OK(call) \
  if ((call) != napi_ok) throw ArgError("N-API call failed: " #call)

template <typename T>
T* typed(napi_env env, napi_value v, napi_typedarray_type want, size_t need, const char* name) {
  bool is = false;
  NAPI_OK(napi_is_typedarray(env, v, &is));
  if (!is) throw ArgError(std::string(name) + " is not a typed array");
  napi_typedarray_type type;
  size_t length = 0;
  void* data = nullptr;
  NAPI_OK(napi_get_typedarray_info(env, v, &type, &length, &data, nullptr, nullptr));
  if (type != want) throw ArgError(std::string(name) + " has the wrong element type");
  if (length < need)
    throw ArgError(std::string(name) + " is too short (got " + std::to_string(length) + " elements, needs " + std::to_string(need) + ")");
  return static_cast<T*>(data);
}

// Calls body(argv) with exactly N arguments (else "<expects> (got n arguments)"); any exception
// becomes a JS Error "sg3native: <message>" and the binding returns undefined.
template <size_t N, typename Body>
napi_value with_args(napi_env env, napi_callback_info info, const char* expects, Body&& body) {
  try {
    size_t argc = N;
    napi_value argv[N];
    NAPI_OK(napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr));
    if (argc != N) throw ArgError(std::string(expects) + " (got " + std::to_string(argc) + " arguments)");
    body(argv);
  } catch (const std::exception& e) {
    const auto* ae = dynamic_cast<const ArgError*>(&e);
    napi_throw_error(env, nullptr, ("sg3native: " + (ae ? ae->msg : std::string(e.what()))).c_str());
  }
  return nullptr;
}

ConvGeom geometry(napi_env env, napi_value v) {
  const int32_t* f = typed<int32_t>(env, v, napi_int32_array, sg3::kGeomFields, "geometry");
  ConvGeom g{f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7], f[8], f[9], f[10], f[11], f[12], f[13], f[14], f[15]};
  const int positive[] = {g.batch, g.in_h, g.in_w, g.in_c, g.out_h, g.out_w, g.out_c, g.f_h, g.f_w,
                          g.stride_h, g.stride_w, g.dil_h, g.dil_w, g.mult};
  for (int p : positive)
    if (p < 1) throw ArgError("geometry has a size, stride, dilation or multiplier < 1 (got " + std::to_string(p) + ")");
  return g;
}

size_t sz(const ConvGeom& g, char which) {
  switch (which) {
    case 'x': return size_t(g.batch) * g.in_h * g.in_w * g.in_c;
    case 'y': return size_t(g.batch) * g.out_h * g.out_w * g.out_c;
    case 'w': return size_t(g.f_h) * g.f_w * g.in_c * g.out_c;         // dense HWIO
    default: return size_t(g.f_h) * g.f_w * g.out_c;                   // depthwise [fh, fw, C, mult]
  }
}

using Kernel = void (*)(const ConvGeom&, const float*, const float*, float*);

// A binding for `kernel(a, b, out, geometry)`; A, B, O name the sizes sz() checks for a, b and out.
template <Kernel kernel, char A, char B, char O, bool depthwise>
napi_value bind(napi_env env, napi_callback_info info) {
  return with_args<4>(env, info, "expects (a, b, out, geometry)", [&](napi_value* argv) {
    const ConvGeom g = geometry(env, argv[3]);
    if (depthwise && g.out_c != g.in_c * g.mult)
      throw ArgError("depthwise geometry needs out_c == in_c * mult (got " + std::to_string(g.out_c) + ")");
    const float* a = typed<float>(env, argv[0], napi_float32_array, sz(g, A), "input 0");
    const float* b = typed<float>(env, argv[1], napi_float32_array, sz(g, B), "input 1");
    float* out = typed<float>(env, argv[2], napi_float32_array, sz(g, O), "output");
    kernel(g, a, b, out);
  });
}

// gemm(a, b, c, M, N, K): row-major C[M,N] = A[M,K] B[K,N] (the benchmark's peak).
napi_value bind_gemm(napi_env env, napi_callback_info info) {
  return with_args<6>(env, info, "gemm expects (a, b, c, M, N, K)", [&](napi_value* argv) {
    int32_t d[3];
    for (int i = 0; i < 3; ++i) {
      NAPI_OK(napi_get_value_int32(env, argv[3 + i], &d[i]));
      if (d[i] < 1) throw ArgError("gemm sizes must be >= 1 (got " + std::to_string(d[i]) + ")");
    }
    const int M = d[0], N = d[1], K = d[2];
    const float* a = typed<float>(env, argv[0], napi_float32_array, size_t(M) * K, "a");
    const float* b = typed<float>(env, argv[1], napi_float32_array, size_t(K) * N, "b");
    float* c = typed<float>(env, argv[2], napi_float32_array, size_t(M) * N, "c");
    sg3::gemm(M, N, K, a, b, c);
  });
}

// batchMatMul(a, b, c, geometry): geometry Int32Array [batch, a_batch, b_batch, M, N, K, trans_a, trans_b,
// a_index[batch], b_index[batch]] (see MatMulGeom); C[i] = op(A[a_index[i]]) op(B[b_index[i]]).
napi_value bind_batch_matmul(napi_env env, napi_callback_info info) {
  return with_args<4>(env, info, "batchMatMul expects (a, b, c, geometry)", [&](napi_value* argv) {
    const int32_t* f = typed<int32_t>(env, argv[3], napi_int32_array, 8, "geometry");
    if (f[0] < 1 || f[1] < 1 || f[2] < 1 || f[3] < 1 || f[4] < 1 || f[5] < 0)
      throw ArgError("batchMatMul needs batches, M, N >= 1 and K >= 0 (got " + std::to_string(f[0]) + ", " + std::to_string(f[3]) + ", " +
                     std::to_string(f[4]) + ", " + std::to_string(f[5]) + ")");
    f = typed<int32_t>(env, argv[3], napi_int32_array, 8 + 2 * size_t(f[0]), "geometry");
    const sg3::MatMulGeom g{f[0], f[1], f[2], f[3], f[4], f[5], f[6] != 0, f[7] != 0, f + 8, f + 8 + f[0]};
    for (int i = 0; i < g.batch; ++i)
      if (g.a_index[i] < 0 || g.a_index[i] >= g.a_batch || g.b_index[i] < 0 || g.b_index[i] >= g.b_batch)
        throw ArgError("batchMatMul batch index out of range (got " + std::to_string(g.a_index[i]) + ", " + std::to_string(g.b_index[i]) + ")");
    const float* a = typed<float>(env, argv[0], napi_float32_array, size_t(g.a_batch) * g.M * g.K, "a");
    const float* b = typed<float>(env, argv[1], napi_float32_array, size_t(g.b_batch) * g.K * g.N, "b");
    float* c = typed<float>(env, argv[2], napi_float32_array, size_t(g.batch) * g.M * g.N, "c");
    sg3::batch_matmul(g, a, b, c);
  });
}

// biasAct(y, bias | null, channels, act, alpha): y = act(y + bias) in place (see bias_activation).
napi_value bind_bias_act(napi_env env, napi_callback_info info) {
  return with_args<5>(env, info, "biasAct expects (y, bias, channels, act, alpha)", [&](napi_value* argv) {
    int32_t channels = 0, act = 0;
    double alpha = 0;
    NAPI_OK(napi_get_value_int32(env, argv[2], &channels));
    NAPI_OK(napi_get_value_int32(env, argv[3], &act));
    NAPI_OK(napi_get_value_double(env, argv[4], &alpha));
    if (channels < 1 || act < 0 || act > 3) throw ArgError("biasAct needs channels >= 1 and act in 0..3 (got " + std::to_string(channels) + ", " + std::to_string(act) + ")");
    float* y = typed<float>(env, argv[0], napi_float32_array, 0, "y");
    size_t length = 0;
    NAPI_OK(napi_get_typedarray_info(env, argv[0], nullptr, &length, nullptr, nullptr, nullptr));
    if (length % channels) throw ArgError("biasAct: y's length is not a multiple of channels (got " + std::to_string(length) + ")");
    napi_valuetype bias_type;
    NAPI_OK(napi_typeof(env, argv[1], &bias_type));
    const float* bias = bias_type == napi_null || bias_type == napi_undefined ? nullptr : typed<float>(env, argv[1], napi_float32_array, channels, "bias");
    sg3::bias_activation(y, bias, length / channels, channels, act, float(alpha));
  });
}

// Optional argument: null/undefined -> nullptr, else a typed array of at least `need` elements.
template <typename T>
T* optional_typed(napi_env env, napi_value v, napi_typedarray_type want, size_t need, const char* name) {
  napi_valuetype t;
  NAPI_OK(napi_typeof(env, v, &t));
  return t == napi_null || t == napi_undefined ? nullptr : typed<T>(env, v, want, need, name);
}

size_t typed_length(napi_env env, napi_value v) {
  size_t length = 0;
  NAPI_OK(napi_get_typedarray_info(env, v, nullptr, &length, nullptr, nullptr, nullptr));
  return length;
}

double number(napi_env env, napi_value v) {
  double d = 0;
  NAPI_OK(napi_get_value_double(env, v, &d));
  return d;
}

// The plan of a filtered-lrelu call from (itab, ftab, gain, slope, clamp) at argv[first..].
sg3::FlreluPlan flrelu_args(napi_env env, napi_value* argv, int first) {
  const int32_t* itab = typed<int32_t>(env, argv[first], napi_int32_array, sg3::kFlreluHeader, "itab");
  const float* ftab = typed<float>(env, argv[first + 1], napi_float32_array, 0, "ftab");
  try {
    return sg3::flrelu_plan(itab, typed_length(env, argv[first]), ftab, typed_length(env, argv[first + 1]),
                            float(number(env, argv[first + 2])), float(number(env, argv[first + 3])), float(number(env, argv[first + 4])));
  } catch (const std::invalid_argument& e) {
    throw ArgError(e.what());
  }
}

// flreluForward(x, b | null, itab, ftab, gain, slope, clamp, y, codes | null, masked)
napi_value bind_flrelu_forward(napi_env env, napi_callback_info info) {
  return with_args<10>(env, info, "flreluForward expects (x, b, itab, ftab, gain, slope, clamp, y, codes, masked)", [&](napi_value* argv) {
    const sg3::FlreluPlan p = flrelu_args(env, argv, 2);
    const size_t nx = size_t(p.N) * p.H * p.W * p.C, ny = size_t(p.N) * p.Ho * p.Wo * p.C, nc = sg3::flrelu_code_words(p);
    const float* x = typed<float>(env, argv[0], napi_float32_array, nx, "x");
    const float* b = optional_typed<float>(env, argv[1], napi_float32_array, p.C, "b");
    float* y = typed<float>(env, argv[7], napi_float32_array, ny, "y");
    uint32_t* codes = reinterpret_cast<uint32_t*>(optional_typed<int32_t>(env, argv[8], napi_int32_array, nc, "codes"));
    bool masked = false;
    NAPI_OK(napi_get_value_bool(env, argv[9], &masked));
    sg3::flrelu_forward(p, x, b, y, codes, masked);
  });
}

// flreluBackward(dy, codes, itab, ftab, gain, slope, clamp, dx)
napi_value bind_flrelu_backward(napi_env env, napi_callback_info info) {
  return with_args<8>(env, info, "flreluBackward expects (dy, codes, itab, ftab, gain, slope, clamp, dx)", [&](napi_value* argv) {
    const sg3::FlreluPlan p = flrelu_args(env, argv, 2);
    const size_t nx = size_t(p.N) * p.H * p.W * p.C, ny = size_t(p.N) * p.Ho * p.Wo * p.C, nc = sg3::flrelu_code_words(p);
    const float* dy = typed<float>(env, argv[0], napi_float32_array, ny, "dy");
    const uint32_t* codes = reinterpret_cast<const uint32_t*>(typed<int32_t>(env, argv[1], napi_int32_array, nc, "codes"));
    float* dx = typed<float>(env, argv[7], napi_float32_array, nx, "dx");
    sg3::flrelu_backward(p, dy, codes, dx);
  });
}

// sumAxes(x, A, B, C, y): y[a, c] = sum_b x[a, b, c].
napi_value bind_sum_axes(napi_env env, napi_callback_info info) {
  return with_args<5>(env, info, "sumAxes expects (x, A, B, C, y)", [&](napi_value* argv) {
    double d[3];
    for (int i = 0; i < 3; ++i) {
      d[i] = number(env, argv[1 + i]);
      if (!(d[i] >= 1) || d[i] != double(long(d[i])) || d[i] > 1e12) throw ArgError("sumAxes sizes must be integers >= 1 (got " + std::to_string(d[i]) + ")");
    }
    const long A = long(d[0]), B = long(d[1]), C = long(d[2]);
    const float* x = typed<float>(env, argv[0], napi_float32_array, size_t(A) * B * C, "x");
    float* y = typed<float>(env, argv[4], napi_float32_array, size_t(A) * C, "y");
    sg3::sum_axes(x, A, B, C, y);
  });
}

// unary(x, y, op): y = sin(x) (op 0) or cos(x) (op 1), element-wise over x's length.
napi_value bind_unary(napi_env env, napi_callback_info info) {
  return with_args<3>(env, info, "unary expects (x, y, op)", [&](napi_value* argv) {
    const double op = number(env, argv[2]);
    if (op != 0 && op != 1) throw ArgError("unary op must be 0 (sin) or 1 (cos) (got " + std::to_string(op) + ")");
    size_t n = 0;
    NAPI_OK(napi_get_typedarray_info(env, argv[0], nullptr, &n, nullptr, nullptr, nullptr));
    const float* x = typed<float>(env, argv[0], napi_float32_array, n, "x");
    float* y = typed<float>(env, argv[1], napi_float32_array, n, "y");
    sg3::unary(op == 0 ? sg3::UnaryOp::kSin : sg3::UnaryOp::kCos, x, y, n);
  });
}

// adamStep(p, g, m, v, pOut, mOut, vOut, scalars): one fused Adam step (adam.cc); scalars Float32Array
// [beta1, 1-beta1, beta2, 1-beta2, sqrt(1-beta2^t), eps, lr/(1-beta1^t)]; all arrays of p's length.
napi_value bind_adam_step(napi_env env, napi_callback_info info) {
  return with_args<8>(env, info, "adamStep expects (p, g, m, v, pOut, mOut, vOut, scalars)", [&](napi_value* argv) {
    size_t n = 0;
    NAPI_OK(napi_get_typedarray_info(env, argv[0], nullptr, &n, nullptr, nullptr, nullptr));
    const char* names[] = {"p", "g", "m", "v", "pOut", "mOut", "vOut"};
    float* t[7];
    for (int i = 0; i < 7; ++i) t[i] = typed<float>(env, argv[i], napi_float32_array, n, names[i]);
    const float* k = typed<float>(env, argv[7], napi_float32_array, 7, "scalars");
    const sg3::AdamScalars s{k[0], k[1], k[2], k[3], k[4], k[5], k[6]};
    sg3::adam_step(s, t[0], t[1], t[2], t[3], t[4], t[5], t[6], n);
  });
}

// transpose(x, y, dims): dims Int32Array [rank, shape[rank], perm[rank]]; x and y Int32Array or
// Float32Array views of the same length (4-byte elements, moved bit for bit).
napi_value bind_transpose(napi_env env, napi_callback_info info) {
  return with_args<3>(env, info, "transpose expects (x, y, dims)", [&](napi_value* argv) {
    const int32_t* d = typed<int32_t>(env, argv[2], napi_int32_array, 1, "dims");
    const int rank = d[0];
    if (rank < 0 || rank > 8) throw ArgError("transpose rank must be 0..8 (got " + std::to_string(rank) + ")");
    d = typed<int32_t>(env, argv[2], napi_int32_array, 1 + 2 * size_t(rank), "dims");
    size_t n = 1;
    std::vector<bool> seen(rank, false);
    for (int i = 0; i < rank; ++i) {
      const int32_t dim = d[1 + i], p = d[1 + rank + i];
      if (dim < 1) throw ArgError("transpose dims must be >= 1 (got " + std::to_string(dim) + ")");
      if (p < 0 || p >= rank || seen[p]) throw ArgError("transpose perm is not a permutation (got " + std::to_string(p) + ")");
      seen[p] = true;
      n *= size_t(dim);
    }
    const uint32_t* x = typed<uint32_t>(env, argv[0], napi_float32_array, n, "x");
    uint32_t* y = typed<uint32_t>(env, argv[1], napi_float32_array, n, "y");
    sg3::transpose(x, y, rank, d + 1, d + 1 + rank);
  });
}

// info() -> { isa, threads }
napi_value bind_info(napi_env env, napi_callback_info) {
  napi_value obj, isa, threads;
  napi_create_object(env, &obj);
  napi_create_string_utf8(env, sg3::isa_name(), NAPI_AUTO_LENGTH, &isa);
  napi_create_int32(env, sg3::pool_size(), &threads);
  napi_set_named_property(env, obj, "isa", isa);
  napi_set_named_property(env, obj, "threads", threads);
  return obj;
}

}  // namespace

NAPI_MODULE_INIT() {
  const napi_property_descriptor props[] = {
      {"conv2d", nullptr, bind<sg3::conv2d_forward, 'x', 'w', 'y', false>, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"conv2dBackpropInput", nullptr, bind<sg3::conv2d_backprop_input, 'y', 'w', 'x', false>, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"conv2dBackpropFilter", nullptr, bind<sg3::conv2d_backprop_filter, 'x', 'y', 'w', false>, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"depthwise", nullptr, bind<sg3::depthwise_forward, 'x', 'd', 'y', true>, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"depthwiseBackpropInput", nullptr, bind<sg3::depthwise_backprop_input, 'y', 'd', 'x', true>, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"depthwiseBackpropFilter", nullptr, bind<sg3::depthwise_backprop_filter, 'x', 'y', 'd', true>, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"gemm", nullptr, bind_gemm, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"batchMatMul", nullptr, bind_batch_matmul, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"biasAct", nullptr, bind_bias_act, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"flreluForward", nullptr, bind_flrelu_forward, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"flreluBackward", nullptr, bind_flrelu_backward, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"adamStep", nullptr, bind_adam_step, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"transpose", nullptr, bind_transpose, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"unary", nullptr, bind_unary, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"sumAxes", nullptr, bind_sum_axes, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"info", nullptr, bind_info, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
  };
  napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
  return exports;
}
