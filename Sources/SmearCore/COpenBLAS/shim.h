// OpenBLAS's CBLAS interface (Debian: libopenblas-dev, found through pkg-config openblas), and the CPU
// feature query smear uses to pick OpenBLAS's kernel (OpenBLAS 0.3.21 does not know every CPU model
// and falls back to a generic kernel on those).
#include <cblas.h>
#include <stddef.h>
#include <stdint.h>
#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

/// Bits of smear_cpu_features().
enum {
    SMEAR_CPU_AVX2 = 1 << 0, SMEAR_CPU_FMA = 1 << 1, SMEAR_CPU_AVX512F = 1 << 2, SMEAR_CPU_AVX512BW = 1 << 3,
    SMEAR_CPU_AVX512VL = 1 << 4, SMEAR_CPU_AVX512DQ = 1 << 5,
    SMEAR_OS_SAVES_AVX = 1 << 6,      // XCR0 bits 1-2: the OS saves SSE and AVX state
    SMEAR_OS_SAVES_AVX512 = 1 << 7    // XCR0 bits 5-7: the OS saves the opmask and ZMM state
};

/// The vector features of this CPU (CPUID leaves 1 and 7) and of the OS (XGETBV), as SMEAR_CPU_* bits.
static inline uint32_t smear_cpu_features(void) {
    uint32_t bits = 0;
#if defined(__x86_64__) || defined(__i386__)
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return 0;
    int osxsave = (c >> 27) & 1;
    if ((c >> 12) & 1) bits |= SMEAR_CPU_FMA;
    if (osxsave) {
        unsigned lo, hi;
        __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
        if ((lo & 0x6) == 0x6) bits |= SMEAR_OS_SAVES_AVX;
        if ((lo & 0xe6) == 0xe6) bits |= SMEAR_OS_SAVES_AVX512;
    }
    if (__get_cpuid_count(7, 0, &a, &b, &c, &d)) {
        if ((b >> 5) & 1) bits |= SMEAR_CPU_AVX2;
        if ((b >> 16) & 1) bits |= SMEAR_CPU_AVX512F;
        if ((b >> 17) & 1) bits |= SMEAR_CPU_AVX512DQ;
        if ((b >> 30) & 1) bits |= SMEAR_CPU_AVX512BW;
        if ((b >> 31) & 1) bits |= SMEAR_CPU_AVX512VL;
    }
#endif
    return bits;
}

/// LAPACK's symmetric eigen-decomposition (divide and conquer), which OpenBLAS ships; Fortran calling
/// convention with the hidden lengths of the two character arguments at the end.
void dsyevd_(const char *jobz, const char *uplo, const int *n, double *a, const int *lda, double *w, double *work,
             const int *lwork, int *iwork, const int *liwork, int *info, size_t jobz_len, size_t uplo_len);
