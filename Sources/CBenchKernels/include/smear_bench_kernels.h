// Kernels for smear-bench only: the machine's fp32 FMA peak.
#ifndef SMEAR_BENCH_KERNELS_H
#define SMEAR_BENCH_KERNELS_H

/// GFLOP/s of fused multiply-adds on `threads` threads for about `seconds`, with the widest vectors the
/// CPU runs (AVX-512, else AVX2 + FMA, else SSE multiply + add); `isa` receives the one used.
double smear_fma_peak_gflops(int threads, double seconds, const char **isa);

#endif
