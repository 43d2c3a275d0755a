// The engine, stream and helpers shared by the shim's files (dnnl_common.h).
#include "smear_dnnl.h"
#include "dnnl_common.h"

#include <pthread.h>
#include <stdio.h>

extern void omp_set_num_threads(int);
extern int omp_get_max_threads(void);

dnnl_engine_t smear_engine;
dnnl_stream_t smear_stream;
static dnnl_status_t engine_status = dnnl_success;
static pthread_once_t engine_once = PTHREAD_ONCE_INIT;

static void make_engine(void) {
    engine_status = dnnl_engine_create(&smear_engine, dnnl_cpu, 0);
    if (engine_status == dnnl_success) engine_status = dnnl_stream_create(&smear_stream, smear_engine, dnnl_stream_default_flags);
}

dnnl_status_t engine_ready(void) {
    pthread_once(&engine_once, make_engine);
    return engine_status;
}

const char *smear_dnnl_version(void) {
    static char text[64];
    const dnnl_version_t *v = dnnl_version();
    snprintf(text, sizeof text, "%d.%d.%d", v->major, v->minor, v->patch);
    return text;
}

void smear_dnnl_set_threads(int threads) { if (threads > 0) omp_set_num_threads(threads); }
int smear_dnnl_threads(void) { return omp_get_max_threads(); }


void describe_failure(char *err, size_t size, const char *what, dnnl_status_t status, const char *where) {
    if (err && size) snprintf(err, size, "oneDNN %s: status %d in %s", what, (int)status, where);
}

const char *impl_name(dnnl_primitive_desc_t pd) {
    const char *name = "";
    if (pd) dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, &name);
    return name;
}

dnnl_status_t user_memory(dnnl_memory_t *m, const dnnl_memory_desc_t *md) {
    return dnnl_memory_create(m, md, smear_engine, DNNL_MEMORY_NONE);
}

dnnl_status_t make_reorder(const dnnl_memory_desc_t *from, const dnnl_memory_desc_t *to, dnnl_primitive_t *out) {
    *out = NULL;
    if (dnnl_memory_desc_equal(from, to)) return dnnl_success;
    dnnl_primitive_desc_t pd;
    dnnl_status_t status = dnnl_reorder_primitive_desc_create(&pd, from, smear_engine, to, smear_engine, NULL);
    if (status != dnnl_success) return status;
    status = dnnl_primitive_create(out, pd);
    dnnl_primitive_desc_destroy(pd);
    return status;
}

dnnl_status_t run(dnnl_primitive_t p, int count, const dnnl_exec_arg_t *args) {
    dnnl_status_t status = dnnl_primitive_execute(p, smear_stream, count, args);
    if (status == dnnl_success) status = dnnl_stream_wait(smear_stream);
    return status;
}

dnnl_status_t run_reorder(dnnl_primitive_t reorder, dnnl_memory_t from, dnnl_memory_t to) {
    dnnl_exec_arg_t args[] = {{DNNL_ARG_FROM, from}, {DNNL_ARG_TO, to}};
    return run(reorder, 2, args);
}



dnnl_status_t append_activation(dnnl_post_ops_t ops, int activation) {
    switch (activation) {
    case 0: return dnnl_success;
    case 1: return dnnl_post_ops_append_eltwise(ops, 1.0f, dnnl_eltwise_relu, 0.0f, 0.0f);
    case 2: return dnnl_post_ops_append_eltwise(ops, 1.0f, dnnl_eltwise_clip, 0.0f, 6.0f);
    default: return dnnl_invalid_arguments;
    }
}
