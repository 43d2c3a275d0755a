// M rows of C channels, channels-last. Training batch normalisation followed by a clamp (ReLU, ReLU6 or none), in the
// fewest passes over the activations (smear_kernels.h): the statistics in one read, the output in one read and one
// write; the backward pass recomputes the clamp's mask from the input instead of reading the output, so it reads the
// input and the gradient twice and writes the input's gradient once. Every loop runs along a row's contiguous
// channels, so the compiler vectorises it; threads take disjoint ranges of rows.
#include "smear_kernels.h"
#include <stddef.h>

#define CLONES __attribute__((target_clones("avx512f", "avx2", "default")))

// The output and the backward pass's mask must see the same z = x·a + b bit for bit: no fused multiply-add in one
// place and not the other.
#pragma clang fp contract(off)

CLONES void smear_bn_sums(const float *restrict x, int64_t c, int64_t r0, int64_t r1, const float *restrict pivot,
                          double *restrict sum, double *restrict sum_sq) {
    for (int64_t j = 0; j < c; j++) sum[j] = sum_sq[j] = 0;
    for (int64_t r = r0; r < r1; r++) {
        const float *row = x + r * c;
        for (int64_t j = 0; j < c; j++) {
            const float d = row[j] - pivot[j];
            sum[j] += d;
            sum_sq[j] += (double)d * d;
        }
    }
}

CLONES void smear_bn_clamp_apply(const float *restrict x, int64_t c, int64_t r0, int64_t r1, const float *restrict a,
                                 const float *restrict b, float low, float high, float *restrict y) {
    for (int64_t r = r0; r < r1; r++) {
        const float *row = x + r * c;
        float *out = y + r * c;
        for (int64_t j = 0; j < c; j++) {
            const float z = row[j] * a[j] + b[j];
            out[j] = z < low ? low : (z > high ? high : z);
        }
    }
}

CLONES void smear_bn_clamp_grad_sums(const float *restrict x, const float *restrict g, int64_t c, int64_t r0, int64_t r1,
                                     const float *restrict a, const float *restrict b, const float *restrict mean,
                                     float low, float high, double *restrict sum_g, double *restrict sum_gx) {
    for (int64_t j = 0; j < c; j++) sum_g[j] = sum_gx[j] = 0;
    for (int64_t r = r0; r < r1; r++) {
        const float *xr = x + r * c, *gr = g + r * c;
        for (int64_t j = 0; j < c; j++) {
            const float z = xr[j] * a[j] + b[j];
            const float gm = (z > low && z < high) ? gr[j] : 0.0f;
            sum_g[j] += gm;
            sum_gx[j] += (double)(gm * (xr[j] - mean[j]));
        }
    }
}

CLONES void smear_bn_clamp_grad_apply(const float *restrict x, const float *restrict g, int64_t c, int64_t r0,
                                      int64_t r1, const float *restrict a, const float *restrict b,
                                      const float *restrict mean, const float *restrict k_g,
                                      const float *restrict k_x, const float *restrict k_0, float low, float high,
                                      float *restrict dx) {
    for (int64_t r = r0; r < r1; r++) {
        const float *xr = x + r * c, *gr = g + r * c;
        float *dr = dx + r * c;
        for (int64_t j = 0; j < c; j++) {
            const float z = xr[j] * a[j] + b[j];
            const float gm = (z > low && z < high) ? gr[j] : 0.0f;
            dr[j] = k_g[j] * gm + k_x[j] * (xr[j] - mean[j]) + k_0[j];
        }
    }
}
