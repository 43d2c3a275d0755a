// A small C layer over oneDNN (Debian libdnnl-dev 2.x) for smear's convolution (dense and depthwise), batch-norm and
// max-pooling back end. oneDNN's C API describes every primitive with structs of 12-element dimension
// arrays, which are clumsy from Swift; this layer takes plain integers and pointers instead.
//
// N batch, C input channels, O output channels, H×W input, OH×OW output, KH×KW kernel.
// Every activation is NHWC (smear's channels-last storage of the logical [N, C, H, W]); convolution
// weights are OHWI ([O, KH, KW, C], smear's channels-last weight). oneDNN runs on the layouts it
// prefers for the CPU (blocked ones) and this layer reorders to and from them inside each call.
//
// Each object is made once per geometry and cached by the caller (creation JIT-compiles kernels);
// calls on one object are serialised by a mutex. Functions return 0 on success, otherwise a oneDNN
// status, with a message in `err` for creation failures.
#ifndef SMEAR_DNNL_H
#define SMEAR_DNNL_H
#include <stddef.h>
#include <stdint.h>

/// The oneDNN version, e.g. "2.6.3", and the ISA its kernels were dispatched for.
const char *smear_dnnl_version(void);
/// Threads oneDNN uses (OpenMP) for calls made from this thread.
void smear_dnnl_set_threads(int threads);
int smear_dnnl_threads(void);

/// Calls body(context, lo, hi) on `workers` threads of oneDNN's OpenMP pool, for disjoint ranges that
/// cover 0..<n (one range per thread, some possibly empty and then skipped). Returns when all are done.
void smear_parallel_for(long n, int workers, void (*body)(void *context, long lo, long hi), void *context);

/// Geometry of one convolution: n, c, h, w, o, kh, kw, stride, padding (symmetric).
typedef struct { int64_t n, c, h, w, o, kh, kw, stride, padding; } smear_conv_geometry;

typedef struct smear_dnnl_conv smear_dnnl_conv;
/// Forward primitive for `geometry` (`training` selects forward_training over forward_inference),
/// with a bias when `bias` is nonzero, with an activation applied to the output (`activation`: 0 none, 1 ReLU,
/// 2 ReLU6; inference only), and with the output *added* to dst before the activation when `sum` is nonzero.
/// Backward primitives are made on first use. NULL on failure (message in err).
smear_dnnl_conv *smear_dnnl_conv_create(smear_conv_geometry geometry, int bias, int training, int activation, int sum,
                                        char *err, size_t err_size);
/// dst[N·OH·OW, O] = activation(conv(src, weights) (+ bias) (+ dst if sum)).
int smear_dnnl_conv_forward(smear_dnnl_conv *conv, const float *src, const float *weights_ohwi,
                            const float *bias, float *dst);
/// The gradients for diff_dst (training objects only): diff_src (NHWC) when not NULL, diff_weights
/// (OHWI) and diff_bias ([O], when the object has a bias) when diff_weights is not NULL.
int smear_dnnl_conv_backward(smear_dnnl_conv *conv, const float *src, const float *diff_dst, const float *weights_ohwi,
                             float *diff_src, float *diff_weights_ohwi, float *diff_bias);
/// The implementation oneDNN chose: 0 forward, 1 backward data, 2 backward weights ("" if not made).
const char *smear_dnnl_conv_impl(smear_dnnl_conv *conv, int which);

/// Geometry of one depthwise convolution (groups = channels): n, c, h, w, kh, kw, stride, and the padding of each side.
typedef struct { int64_t n, c, h, w, kh, kw, stride, top, bottom, left, right; } smear_depthwise_geometry;
typedef struct smear_dnnl_depthwise smear_dnnl_depthwise;
/// `activation` as for convolutions (inference only). NULL on failure, with oneDNN's message in err.
smear_dnnl_depthwise *smear_dnnl_depthwise_create(smear_depthwise_geometry geometry, int bias, int training, int activation,
                                                  char *err, size_t err_size);
/// dst (NHWC) = activation(depthwise(src (NHWC), taps [KH, KW, C]) (+ bias [C])).
int smear_dnnl_depthwise_forward(smear_dnnl_depthwise *d, const float *src, const float *taps, const float *bias, float *dst);
/// diff_src (NHWC) when given; diff_taps ([KH, KW, C]) and diff_bias when diff_taps is given (they are overwritten).
int smear_dnnl_depthwise_backward(smear_dnnl_depthwise *d, const float *src, const float *diff_dst, const float *taps,
                                  float *diff_src, float *diff_taps, float *diff_bias);
/// The kernel oneDNN picked: 0 forward, 1 backward data, 2 backward weights.
const char *smear_dnnl_depthwise_impl(smear_dnnl_depthwise *d, int which);

typedef struct smear_dnnl_bnorm smear_dnnl_bnorm;
/// Batch normalisation of NHWC [n, c, h, w] for inference (the given mean and variance), with scale and shift,
/// optionally fused with a ReLU. Training batch norm is smear's own (CKernels/batch_norm_clamp.c).
smear_dnnl_bnorm *smear_dnnl_bnorm_create(int64_t n, int64_t c, int64_t h, int64_t w, float eps, int relu, char *err,
                                          size_t err_size);
/// dst = scale·(src − mean)/sqrt(var + eps) + shift (ReLU); mean and var are [C].
int smear_dnnl_bnorm_forward(smear_dnnl_bnorm *bn, const float *src, const float *scale, const float *shift,
                             const float *mean, const float *var, float *dst);

typedef struct smear_dnnl_pool smear_dnnl_pool;
/// Max pooling of NHWC [n, c, h, w], square kernel, stride and padding (padding counts as −∞).
smear_dnnl_pool *smear_dnnl_maxpool_create(int64_t n, int64_t c, int64_t h, int64_t w, int64_t kernel,
                                           int64_t stride, int64_t padding, int training, char *err, size_t err_size);
size_t smear_dnnl_pool_workspace_size(smear_dnnl_pool *pool);
int smear_dnnl_pool_forward(smear_dnnl_pool *pool, const float *src, float *dst, void *workspace);
/// diff_src from diff_dst and the forward's workspace (the argmax of each window).
int smear_dnnl_pool_backward(smear_dnnl_pool *pool, const float *diff_dst, const void *workspace, float *diff_src);

#endif
