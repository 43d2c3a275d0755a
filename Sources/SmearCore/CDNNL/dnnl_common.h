// Shared by the oneDNN shim's files: the engine and stream, error text, memory and reorder helpers.
#ifndef SMEAR_DNNL_COMMON_H
#define SMEAR_DNNL_COMMON_H
#include <oneapi/dnnl/dnnl.h>

/// The CPU engine and its stream, made once (engine_ready() returns the creation status).
extern dnnl_engine_t smear_engine;
extern dnnl_stream_t smear_stream;
dnnl_status_t engine_ready(void);

/// Runs `call`; on failure records its text in `where` and jumps to `fail`.
#define TRY(call) do { status = (call); if (status != dnnl_success) { where = #call; goto fail; } } while (0)

void describe_failure(char *err, size_t size, const char *what, dnnl_status_t status, const char *where);
const char *impl_name(dnnl_primitive_desc_t pd);
/// A memory object for a user buffer (its data handle is set per call).
dnnl_status_t user_memory(dnnl_memory_t *m, const dnnl_memory_desc_t *md);
/// A reorder primitive from `from` to `to`, or NULL when the layouts are equal.
dnnl_status_t make_reorder(const dnnl_memory_desc_t *from, const dnnl_memory_desc_t *to, dnnl_primitive_t *out);
/// Executes on the stream and waits.
dnnl_status_t run(dnnl_primitive_t p, int count, const dnnl_exec_arg_t *args);
dnnl_status_t run_reorder(dnnl_primitive_t reorder, dnnl_memory_t from, dnnl_memory_t to);
/// Appends the activation post-op with smear's code (0 none, 1 ReLU, 2 ReLU6 = clip to [0, 6]).
dnnl_status_t append_activation(dnnl_post_ops_t ops, int activation);
static inline void *handle(const void *p) { return (void *)p; }
#endif
