// Kernels smear writes in C where Swift cannot reach the vector units: built for AVX-512, AVX2 and a portable
// baseline in one binary (clang's target_clones picks the best at load time).
#ifndef SMEAR_KERNELS_H
#define SMEAR_KERNELS_H

#include <stdint.h>

/// N batch, C channels, H×W input, OH×OW output, KH×KW taps; channels-last data. The weight gradient of a depthwise
/// convolution for channels [c0, c1):
///   d_taps[(i·KW + j)·C + ch] = Σ_{b, oy, ox} dy[b, oy, ox, ch] · x[b, oy·stride + i − pad_top, ox·stride + j − pad_left, ch]
/// (taps outside the image contribute nothing), and, when d_bias is not NULL, d_bias[ch] = Σ dy[b, oy, ox, ch].
/// Each channel's sums run in one fixed order, so the result does not depend on how channels are split among threads.
void smear_depthwise_weight_grad(const float *x, const float *dy, float *d_taps, float *d_bias, int n, int c, int h, int w,
                                 int kh, int kw, int stride, int pad_top, int pad_left, int oh, int ow, int c0, int c1);

/// M rows of C channels, channels-last: training batch normalisation with a clamp, y = clamp(x·a + b, low, high), where per
/// channel a = γ/√(var + eps) and b = β − mean·a (infinite bounds: no clamp). Each function covers rows [r0, r1);
/// threads take disjoint row ranges, and sums are per range, so a caller that adds fixed ranges in order gets the same
/// result for any thread count.
///
/// Σ (x − pivot) and Σ (x − pivot)² per channel over the rows (pivot: any value near the mean, against cancellation).
void smear_bn_sums(const float *x, int64_t c, int64_t r0, int64_t r1, const float *pivot, double *sum, double *sum_sq);
/// y = clamp(x·a + b, low, high).
void smear_bn_clamp_apply(const float *x, int64_t c, int64_t r0, int64_t r1, const float *a, const float *b, float low,
                          float high, float *y);
/// With g' = g where low < x·a + b < high, else 0: Σ g' and Σ g'·(x − mean) per channel over the rows.
void smear_bn_clamp_grad_sums(const float *x, const float *g, int64_t c, int64_t r0, int64_t r1, const float *a,
                              const float *b, const float *mean, float low, float high, double *sum_g, double *sum_gx);
/// dx = k_g·g' + k_x·(x − mean) + k_0, with g' as above and per-channel coefficients from the sums.
void smear_bn_clamp_grad_apply(const float *x, const float *g, int64_t c, int64_t r0, int64_t r1, const float *a,
                               const float *b, const float *mean, const float *k_g, const float *k_x, const float *k_0,
                               float low, float high, float *dx);

#endif
