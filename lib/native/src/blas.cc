// sgemm and a bias + activation epilogue on float32 buffers that live inside the wasm backend's
// memory. JavaScript passes one Float32Array over that whole memory, taken after every allocation
// (growth may move or extend it), and element offsets into it; nothing is copied. Every extent is
// checked against the view's length, so a stale or wrong offset is a RangeError, never a write
// outside the buffer.
#include <node_api.h>

#include <cmath>
#include <cstdint>
#include <string>

#ifdef AE_ACCELERATE
#include <Accelerate/Accelerate.h>
#else
#include <cblas.h>
#endif

namespace {

struct Heap {
  float* data = nullptr;
  size_t length = 0;
};

napi_value Throw(napi_env env, const char* code, const std::string& message, bool range = false) {
  if (range) napi_throw_range_error(env, code, message.c_str());
  else napi_throw_type_error(env, code, message.c_str());
  return nullptr;
}

bool GetHeap(napi_env env, napi_value value, Heap* heap) {
  bool is_typed = false;
  napi_is_typedarray(env, value, &is_typed);
  if (!is_typed) return false;
  napi_typedarray_type type;
  void* data = nullptr;
  size_t length = 0;
  if (napi_get_typedarray_info(env, value, &type, &length, &data, nullptr, nullptr) != napi_ok) return false;
  if (type != napi_float32_array) return false;
  heap->data = static_cast<float*>(data);
  heap->length = length;
  return true;
}

// Reads a call's arguments: the heap first, then `count` numbers. On a bad call, throws a TypeError
// that names the function and returns false.
bool ReadArgs(napi_env env, napi_callback_info info, const char* name, size_t count, Heap* heap, double* numbers) {
  napi_value args[16];
  size_t argc = 16;
  napi_get_cb_info(env, info, &argc, args, nullptr, nullptr);
  const std::string fn(name);
  if (argc != count + 1) return Throw(env, "AE_BLAS_ARGS", fn + " takes " + std::to_string(count + 1) + " arguments"), false;
  if (!GetHeap(env, args[0], heap)) return Throw(env, "AE_BLAS_ARGS", fn + ": the first argument must be a Float32Array"), false;
  for (size_t i = 0; i < count; i++) {
    if (napi_get_value_double(env, args[i + 1], &numbers[i]) != napi_ok) {
      return Throw(env, "AE_BLAS_ARGS", fn + ": argument " + std::to_string(i + 2) + " must be a number"), false;
    }
  }
  return true;
}

// True when [offset, offset + (count - 1) * stride + size) lies inside the heap.
bool Inside(const Heap& heap, int64_t offset, int64_t count, int64_t stride, int64_t size) {
  if (offset < 0 || count < 1 || stride < 0 || size < 0) return false;
  const int64_t end = offset + (count - 1) * stride + size;
  return end <= static_cast<int64_t>(heap.length);
}

// sgemm(heap, batch, m, n, k, transposeA, transposeB, aOffset, aStride, bOffset, bStride, cOffset)
// C[i] = op(A[i]) · op(B[i]) for i < batch, row-major; C is dense [batch, m, n].
// A stride of 0 reuses one matrix for every batch entry (tfjs broadcasts a batch of 1).
napi_value Sgemm(napi_env env, napi_callback_info info) {
  Heap heap;
  double d[11];
  if (!ReadArgs(env, info, "sgemm", 11, &heap, d)) return nullptr;
  int64_t v[11];
  for (int i = 0; i < 11; i++) v[i] = static_cast<int64_t>(d[i]);
  const int64_t batch = v[0], m = v[1], n = v[2], k = v[3];
  const bool ta = v[4] != 0, tb = v[5] != 0;
  const int64_t a_off = v[6], a_stride = v[7], b_off = v[8], b_stride = v[9], c_off = v[10];
  if (batch < 1 || m < 1 || n < 1 || k < 1) return Throw(env, "AE_BLAS_ARGS", "sgemm: batch, m, n and k must be positive", true);
  if (!Inside(heap, a_off, batch, a_stride, m * k) || !Inside(heap, b_off, batch, b_stride, k * n) ||
      !Inside(heap, c_off, batch, m * n, m * n)) {
    return Throw(env, "AE_BLAS_RANGE", "sgemm: an operand lies outside the Float32Array (a view taken before the wasm memory grew?)", true);
  }
  const int lda = static_cast<int>(ta ? m : k), ldb = static_cast<int>(tb ? k : n);
  for (int64_t i = 0; i < batch; i++) {
    cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans,
                static_cast<int>(m), static_cast<int>(n), static_cast<int>(k), 1.0f,
                heap.data + a_off + i * a_stride, lda, heap.data + b_off + i * b_stride, ldb, 0.0f,
                heap.data + c_off + i * m * n, static_cast<int>(n));
  }
  return nullptr;
}

enum Activation { kLinear = 0, kRelu = 1, kRelu6 = 2, kPrelu = 3, kLeakyRelu = 4, kSigmoid = 5, kElu = 6 };

// epilogue(heap, cOffset, rows, n, biasOffset, biasSize, activation, alpha, preluOffset, preluSize)
// In place on C viewed as [rows, n]: C += bias, then the activation. A bias or PReLU weight vector
// has n entries (one per column) or 1 (shared); an offset of -1 means none.
napi_value Epilogue(napi_env env, napi_callback_info info) {
  Heap heap;
  double d[9];
  if (!ReadArgs(env, info, "epilogue", 9, &heap, d)) return nullptr;
  int64_t v[6], w[2];
  for (int i = 0; i < 6; i++) v[i] = static_cast<int64_t>(d[i]);
  for (int i = 0; i < 2; i++) w[i] = static_cast<int64_t>(d[7 + i]);
  const double alpha_d = d[6];
  const int64_t c_off = v[0], rows = v[1], n = v[2], bias_off = v[3], bias_size = v[4], act = v[5];
  const int64_t prelu_off = w[0], prelu_size = w[1];
  const float alpha = static_cast<float>(alpha_d);
  if (rows < 1 || n < 1 || act < kLinear || act > kElu) return Throw(env, "AE_BLAS_ARGS", "epilogue: bad shape or activation", true);
  const bool has_bias = bias_off >= 0, has_prelu = act == kPrelu;
  if ((has_bias && bias_size != n && bias_size != 1) || (has_prelu && prelu_size != n && prelu_size != 1)) {
    return Throw(env, "AE_BLAS_ARGS", "epilogue: a bias or PReLU weight vector must have n entries or 1", true);
  }
  if (!Inside(heap, c_off, 1, 0, rows * n) || (has_bias && !Inside(heap, bias_off, 1, 0, bias_size)) ||
      (has_prelu && !Inside(heap, prelu_off, 1, 0, prelu_size))) {
    return Throw(env, "AE_BLAS_RANGE", "epilogue: an operand lies outside the Float32Array", true);
  }
  float* c = heap.data + c_off;
  const float* bias = has_bias ? heap.data + bias_off : nullptr;
  const float* prelu = has_prelu ? heap.data + prelu_off : nullptr;
  const int64_t bias_step = bias_size == 1 ? 0 : 1, prelu_step = prelu_size == 1 ? 0 : 1;
  for (int64_t r = 0; r < rows; r++) {
    float* row = c + r * n;
    if (bias) for (int64_t j = 0; j < n; j++) row[j] += bias[j * bias_step];
    switch (act) {
      case kRelu: for (int64_t j = 0; j < n; j++) row[j] = row[j] > 0 ? row[j] : 0; break;
      case kRelu6: for (int64_t j = 0; j < n; j++) row[j] = std::fmin(std::fmax(row[j], 0.0f), 6.0f); break;
      case kPrelu: for (int64_t j = 0; j < n; j++) row[j] = row[j] < 0 ? row[j] * prelu[j * prelu_step] : row[j]; break;
      case kLeakyRelu: for (int64_t j = 0; j < n; j++) row[j] = row[j] < 0 ? row[j] * alpha : row[j]; break;
      case kSigmoid: for (int64_t j = 0; j < n; j++) row[j] = 1.0f / (1.0f + std::exp(-row[j])); break;
      case kElu: for (int64_t j = 0; j < n; j++) row[j] = row[j] < 0 ? std::expm1(row[j]) : row[j]; break;
      default: break;
    }
  }
  return nullptr;
}

// adam(heap, size, param, gradient, m, v, paramOut, mOut, vOut, lr, beta1, beta2, epsilon,
//      oneMinusAccBeta1, oneMinusAccBeta2)
// One Adam step in one pass, the same float32 arithmetic as tfjs's AdamOptimizer, which runs about
// twelve element-wise kernels (each a pass over memory) per variable. Results go to new buffers.
napi_value Adam(napi_env env, napi_callback_info info) {
  Heap heap;
  double d[14];
  if (!ReadArgs(env, info, "adam", 14, &heap, d)) return nullptr;
  int64_t v[8];
  for (int i = 0; i < 8; i++) v[i] = static_cast<int64_t>(d[i]);
  const double* h = d + 8;
  const int64_t size = v[0];
  for (int i = 1; i < 8; i++) {
    if (!Inside(heap, v[i], 1, 0, size)) return Throw(env, "AE_BLAS_RANGE", "adam: an operand lies outside the Float32Array", true);
  }
  const float* p = heap.data + v[1];
  const float* g = heap.data + v[2];
  const float* m = heap.data + v[3];
  const float* s = heap.data + v[4];
  float* p_out = heap.data + v[5];
  float* m_out = heap.data + v[6];
  float* s_out = heap.data + v[7];
  const float lr = static_cast<float>(h[0]), beta1 = static_cast<float>(h[1]), beta2 = static_cast<float>(h[2]);
  const float eps = static_cast<float>(h[3]), c1 = static_cast<float>(h[4]), c2 = static_cast<float>(h[5]);
  const float one_minus_beta1 = static_cast<float>(1 - h[1]), one_minus_beta2 = static_cast<float>(1 - h[2]);
  for (int64_t i = 0; i < size; i++) {
    const float gi = g[i];
    const float mi = m[i] * beta1 + gi * one_minus_beta1;
    const float si = s[i] * beta2 + (gi * gi) * one_minus_beta2;
    m_out[i] = mi;
    s_out[i] = si;
    p_out[i] = ((mi / c1) / (std::sqrt(si / c2) + eps)) * -lr + p[i];
  }
  return nullptr;
}

napi_value SetThreads(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value arg;
  napi_get_cb_info(env, info, &argc, &arg, nullptr, nullptr);
  int64_t n = 0;
  if (argc != 1 || napi_get_value_int64(env, arg, &n) != napi_ok || n < 1) {
    return Throw(env, "AE_BLAS_ARGS", "setThreads takes a positive number of threads", true);
  }
#ifndef AE_ACCELERATE
  openblas_set_num_threads(static_cast<int>(n));
#endif
  return nullptr;
}

napi_value GetThreads(napi_env env, napi_callback_info) {
  napi_value result;
#ifdef AE_ACCELERATE
  napi_create_int32(env, 0, &result);  // Accelerate sizes its own pool
#else
  napi_create_int32(env, openblas_get_num_threads(), &result);
#endif
  return result;
}

// "OpenBLAS 0.3.21 (SkylakeX)" on Linux (the version, then the kernels chosen for this CPU),
// "Accelerate" on macOS.
napi_value Library(napi_env env, napi_callback_info) {
  napi_value result;
#ifdef AE_ACCELERATE
  const char* text = "Accelerate";
#else
  const std::string config = openblas_get_config();  // "OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH ..."
  const size_t second_space = config.find(' ', config.find(' ') + 1);
  const std::string label = config.substr(0, second_space) + " (" + openblas_get_corename() + ")";
  const char* text = label.c_str();
#endif
  napi_create_string_utf8(env, text, NAPI_AUTO_LENGTH, &result);
  return result;
}

napi_value Init(napi_env env, napi_value exports) {
  const napi_property_descriptor props[] = {
      {"sgemm", nullptr, Sgemm, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"epilogue", nullptr, Epilogue, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"adam", nullptr, Adam, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"setThreads", nullptr, SetThreads, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"getThreads", nullptr, GetThreads, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"library", nullptr, Library, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
