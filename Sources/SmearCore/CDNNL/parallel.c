// smear's parallel loops on oneDNN's thread pool (libgomp), so that one set of threads does all the
// work: with two pools (oneDNN's OpenMP threads and libdispatch's), each switch between a oneDNN kernel
// and one of smear's own loops woke sleeping threads, which on a virtual machine cost up to several
// milliseconds. GOMP_parallel is libgomp's entry point for `#pragma omp parallel` (GCC's ABI), called
// directly so that no OpenMP compiler support is needed.
#include "smear_dnnl.h"

extern void GOMP_parallel(void (*fn)(void *), void *data, unsigned num_threads, unsigned flags);
extern int omp_get_thread_num(void);
extern int omp_get_num_threads(void);

typedef struct {
    long n;
    void (*body)(void *context, long lo, long hi);
    void *context;
} parallel_task;

static void run_part(void *p) {
    parallel_task *t = p;
    long k = omp_get_num_threads(), i = omp_get_thread_num();
    long size = (t->n + k - 1) / k, lo = i * size, hi = lo + size < t->n ? lo + size : t->n;
    if (lo < hi) t->body(t->context, lo, hi);
}

void smear_parallel_for(long n, int workers, void (*body)(void *context, long lo, long hi), void *context) {
    parallel_task t = {n, body, context};
    GOMP_parallel(run_part, &t, (unsigned)(workers > 0 ? workers : 1), 0);
}
