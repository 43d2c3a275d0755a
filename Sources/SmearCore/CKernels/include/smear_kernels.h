// Kernels smear writes in C where Swift cannot reach the vector units: built for AVX-512, AVX2 and a portable
// baseline in one binary (clang's target_clones picks the best at load time).
#ifndef SMEAR_KERNELS_H
#define SMEAR_KERNELS_H

/// N batch, C channels, H×W input, OH×OW output, KH×KW taps; channels-last data. The weight gradient of a depthwise
/// convolution for channels [c0, c1):
///   d_taps[(i·KW + j)·C + ch] = Σ_{b, oy, ox} dy[b, oy, ox, ch] · x[b, oy·stride + i − pad_top, ox·stride + j − pad_left, ch]
/// (taps outside the image contribute nothing), and, when d_bias is not NULL, d_bias[ch] = Σ dy[b, oy, ox, ch].
/// Each channel's sums run in one fixed order, so the result does not depend on how channels are split among threads.
void smear_depthwise_weight_grad(const float *x, const float *dy, float *d_taps, float *d_bias, int n, int c, int h, int w,
                                 int kh, int kw, int stride, int pad_top, int pad_left, int oh, int ow, int c0, int c1);

#endif
