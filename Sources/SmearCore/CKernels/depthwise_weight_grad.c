// N batch, C channels, H×W input, OH×OW output, K×K taps; channels-last. The weight gradient of a depthwise
// convolution (smear_kernels.h). oneDNN 2.6 has no depthwise kernel for this pass with 5×5 taps (its generic
// grouped kernel is an order of magnitude slower than its 3×3 one), so smear computes it here for every size but
// 3×3, where oneDNN's own kernel is faster than this one.
// For 3×3 and 5×5 taps a block of 16 channels keeps one vector accumulator per tap (9 or 25 registers with
// AVX-512) while it reads every output pixel's gradient once and the input pixels under its taps; other sizes and
// the channels left over after the blocks take the plain loop.
#include "smear_kernels.h"
#include <stddef.h>
#include <string.h>

typedef float v16 __attribute__((vector_size(64), aligned(4)));

#define CLONES __attribute__((target_clones("avx512f", "avx2", "default")))

#define DEFINE_BLOCK(K)                                                                                                  \
    CLONES static void block_##K(const float *x, const float *dy, float *d_taps, float *d_bias, int n, int c, int h,    \
                                 int w, int stride, int pt, int pl, int oh, int ow, int c0) {                           \
        v16 acc[K * K], bias = {0};                                                                                     \
        for (int t = 0; t < K * K; t++) acc[t] = (v16){0};                                                              \
        for (int b = 0; b < n; b++)                                                                                     \
            for (int oy = 0; oy < oh; oy++) {                                                                           \
                const int iy0 = oy * stride - pt;                                                                       \
                for (int ox = 0; ox < ow; ox++) {                                                                       \
                    const int ix0 = ox * stride - pl;                                                                   \
                    const v16 g = *(const v16 *)(dy + ((size_t)(b * oh + oy) * ow + ox) * c + c0);                      \
                    bias += g;                                                                                          \
                    _Pragma("unroll") for (int i = 0; i < K; i++) {                                                     \
                        const int iy = iy0 + i;                                                                         \
                        if (iy < 0 || iy >= h) continue;                                                                \
                        const float *row = x + (size_t)(b * h + iy) * w * c + c0;                                       \
                        _Pragma("unroll") for (int j = 0; j < K; j++) {                                                 \
                            const int ix = ix0 + j;                                                                     \
                            if (ix < 0 || ix >= w) continue;                                                            \
                            acc[i * K + j] += g * *(const v16 *)(row + (size_t)ix * c);                                 \
                        }                                                                                               \
                    }                                                                                                   \
                }                                                                                                       \
            }                                                                                                           \
        for (int t = 0; t < K * K; t++) memcpy(d_taps + (size_t)t * c + c0, &acc[t], sizeof(v16));                      \
        if (d_bias) memcpy(d_bias + c0, &bias, sizeof(v16));                                                            \
    }

DEFINE_BLOCK(3)
DEFINE_BLOCK(5)

/// Any tap size, one channel at a time, in the same order of sums as the blocks (pixels in order, taps inside).
static void plain(const float *x, const float *dy, float *d_taps, float *d_bias, int n, int c, int h, int w, int kh,
                  int kw, int stride, int pt, int pl, int oh, int ow, int c0, int c1) {
    for (int ch = c0; ch < c1; ch++) {
        for (int t = 0; t < kh * kw; t++) d_taps[(size_t)t * c + ch] = 0;
        float bias = 0;
        for (int b = 0; b < n; b++)
            for (int oy = 0; oy < oh; oy++)
                for (int ox = 0; ox < ow; ox++) {
                    const float g = dy[((size_t)(b * oh + oy) * ow + ox) * c + ch];
                    bias += g;
                    for (int i = 0; i < kh; i++) {
                        const int iy = oy * stride - pt + i;
                        if (iy < 0 || iy >= h) continue;
                        for (int j = 0; j < kw; j++) {
                            const int ix = ox * stride - pl + j;
                            if (ix < 0 || ix >= w) continue;
                            d_taps[(size_t)(i * kw + j) * c + ch] += g * x[((size_t)(b * h + iy) * w + ix) * c + ch];
                        }
                    }
                }
        if (d_bias) d_bias[ch] = bias;
    }
}

void smear_depthwise_weight_grad(const float *x, const float *dy, float *d_taps, float *d_bias, int n, int c, int h, int w,
                                 int kh, int kw, int stride, int pad_top, int pad_left, int oh, int ow, int c0, int c1) {
    int ch = c0;
    if (kh == kw && (kh == 3 || kh == 5)) {
        for (; ch + 16 <= c1; ch += 16) {
            if (kh == 3) block_3(x, dy, d_taps, d_bias, n, c, h, w, stride, pad_top, pad_left, oh, ow, ch);
            else block_5(x, dy, d_taps, d_bias, n, c, h, w, stride, pad_top, pad_left, oh, ow, ch);
        }
    }
    if (ch < c1) plain(x, dy, d_taps, d_bias, n, c, h, w, kh, kw, stride, pad_top, pad_left, oh, ow, ch, c1);
}
