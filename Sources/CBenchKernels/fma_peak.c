// The fp32 FMA peak: independent chains of vector FMAs (enough to hide the FMA latency on two ports),
// on every thread at once. Each function is compiled for its instruction set and chosen at run time.
#include "smear_bench_kernels.h"

#include <immintrin.h>
#include <pthread.h>
#include <time.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

#define CHAINS 12
#define ROUNDS 4096

/// FLOPs done per call of each kernel: CHAINS chains × ROUNDS rounds × lanes × 2.
__attribute__((target("avx512f"))) static float fma512(long calls) {
    __m512 acc[CHAINS], a = _mm512_set1_ps(0.999999f), b = _mm512_set1_ps(1e-7f);
    for (int i = 0; i < CHAINS; i++) acc[i] = _mm512_set1_ps((float)i);
    for (long c = 0; c < calls; c++)
        for (int r = 0; r < ROUNDS; r++)
            for (int i = 0; i < CHAINS; i++) acc[i] = _mm512_fmadd_ps(acc[i], a, b);
    __m512 s = acc[0];
    for (int i = 1; i < CHAINS; i++) s = _mm512_add_ps(s, acc[i]);
    return _mm512_reduce_add_ps(s);
}

__attribute__((target("avx2,fma"))) static float fma256(long calls) {
    __m256 acc[CHAINS], a = _mm256_set1_ps(0.999999f), b = _mm256_set1_ps(1e-7f);
    for (int i = 0; i < CHAINS; i++) acc[i] = _mm256_set1_ps((float)i);
    for (long c = 0; c < calls; c++)
        for (int r = 0; r < ROUNDS; r++)
            for (int i = 0; i < CHAINS; i++) acc[i] = _mm256_fmadd_ps(acc[i], a, b);
    float out[8], s = 0;
    for (int i = 1; i < CHAINS; i++) acc[0] = _mm256_add_ps(acc[0], acc[i]);
    _mm256_storeu_ps(out, acc[0]);
    for (int i = 0; i < 8; i++) s += out[i];
    return s;
}

static float fma128(long calls) {
    __m128 acc[CHAINS], a = _mm_set1_ps(0.999999f), b = _mm_set1_ps(1e-7f);
    for (int i = 0; i < CHAINS; i++) acc[i] = _mm_set1_ps((float)i);
    for (long c = 0; c < calls; c++)
        for (int r = 0; r < ROUNDS; r++)
            for (int i = 0; i < CHAINS; i++) acc[i] = _mm_add_ps(_mm_mul_ps(acc[i], a), b);
    float out[4], s = 0;
    for (int i = 1; i < CHAINS; i++) acc[0] = _mm_add_ps(acc[0], acc[i]);
    _mm_storeu_ps(out, acc[0]);
    for (int i = 0; i < 4; i++) s += out[i];
    return s;
}

typedef struct { int lanes; long calls; volatile float sink; } job;

static void *work(void *arg) {
    job *j = arg;
    j->sink = j->lanes == 16 ? fma512(j->calls) : j->lanes == 8 ? fma256(j->calls) : fma128(j->calls);
    return NULL;
}

double smear_fma_peak_gflops(int threads, double seconds, const char **isa) {
    __builtin_cpu_init();
    int lanes = __builtin_cpu_supports("avx512f") ? 16 : (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) ? 8 : 4;
    if (isa) *isa = lanes == 16 ? "AVX-512 FMA" : lanes == 8 ? "AVX2 FMA" : "SSE mul+add";
    if (threads < 1) threads = 1;
    if (threads > 64) threads = 64;
    // Calibrate one thread's calls per second, then run all threads for `seconds`.
    job probe = {lanes, 8, 0};
    double t0 = now();
    work(&probe);
    double per_call = (now() - t0) / 8;
    long calls = (long)(seconds / (per_call > 0 ? per_call : 1e-6)) + 1;
    job jobs[64];
    pthread_t ids[64];
    t0 = now();
    for (int i = 0; i < threads; i++) { jobs[i] = (job){lanes, calls, 0}; pthread_create(&ids[i], NULL, work, &jobs[i]); }
    for (int i = 0; i < threads; i++) pthread_join(ids[i], NULL);
    double elapsed = now() - t0;
    double flops = (double)threads * calls * ROUNDS * CHAINS * lanes * 2.0;
    return flops / elapsed / 1e9;
}
