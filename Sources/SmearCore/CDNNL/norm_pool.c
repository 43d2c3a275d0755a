// Batch normalisation (optionally fused with ReLU) and max pooling through oneDNN, NHWC activations:
// see include/smear_dnnl.h for the contract.
#include "smear_dnnl.h"

#include "dnnl_common.h"

#include <pthread.h>
#include <stdlib.h>

// MARK: - Batch normalisation (inference: the running statistics; training runs smear's own kernels, CKernels)

struct smear_dnnl_bnorm {
    pthread_mutex_t lock;
    dnnl_memory_desc_t data_md, stats_md;
    dnnl_primitive_desc_t fwd_pd;
    dnnl_primitive_t fwd;
    dnnl_memory_t src, dst, scale, shift, mean, var;
};

smear_dnnl_bnorm *smear_dnnl_bnorm_create(int64_t n, int64_t c, int64_t h, int64_t w, float eps, int relu, char *err,
                                          size_t err_size) {
    dnnl_status_t status = engine_ready();
    const char *where = "dnnl_engine_create";
    smear_dnnl_bnorm *b = calloc(1, sizeof *b);
    if (status != dnnl_success) goto fail;
    if (!b) { status = dnnl_out_of_memory; where = "calloc"; goto fail; }
    pthread_mutex_init(&b->lock, NULL);
    unsigned flags = dnnl_use_scale | dnnl_use_shift | dnnl_use_global_stats | (relu ? dnnl_fuse_norm_relu : 0);
    dnnl_dims_t dims = {n, c, h, w}, cdims = {c};
    TRY(dnnl_memory_desc_init_by_tag(&b->data_md, 4, dims, dnnl_f32, dnnl_nhwc));
    TRY(dnnl_memory_desc_init_by_tag(&b->stats_md, 1, cdims, dnnl_f32, dnnl_a));
    dnnl_batch_normalization_desc_t desc;
    TRY(dnnl_batch_normalization_forward_desc_init(&desc, dnnl_forward_inference, &b->data_md, eps, flags));
    TRY(dnnl_primitive_desc_create(&b->fwd_pd, &desc, NULL, smear_engine, NULL));
    TRY(dnnl_primitive_create(&b->fwd, b->fwd_pd));
    dnnl_memory_t *data[] = {&b->src, &b->dst};
    for (int i = 0; i < 2; i++) TRY(user_memory(data[i], &b->data_md));
    dnnl_memory_t *stats[] = {&b->scale, &b->shift, &b->mean, &b->var};
    for (int i = 0; i < 4; i++) TRY(user_memory(stats[i], &b->stats_md));
    return b;
fail:
    describe_failure(err, err_size, "batch normalisation", status, where);
    free(b);
    return NULL;
}

int smear_dnnl_bnorm_forward(smear_dnnl_bnorm *b, const float *src, const float *scale, const float *shift,
                             const float *mean, const float *var, float *dst) {
    dnnl_status_t status;
    const char *where;
    pthread_mutex_lock(&b->lock);
    TRY(dnnl_memory_set_data_handle(b->src, handle(src)));
    TRY(dnnl_memory_set_data_handle(b->dst, dst));
    TRY(dnnl_memory_set_data_handle(b->scale, handle(scale)));
    TRY(dnnl_memory_set_data_handle(b->shift, handle(shift)));
    TRY(dnnl_memory_set_data_handle(b->mean, handle(mean)));
    TRY(dnnl_memory_set_data_handle(b->var, handle(var)));
    dnnl_exec_arg_t args[6] = {{DNNL_ARG_SRC, b->src}, {DNNL_ARG_DST, b->dst}, {DNNL_ARG_SCALE, b->scale},
                               {DNNL_ARG_SHIFT, b->shift}, {DNNL_ARG_MEAN, b->mean}, {DNNL_ARG_VARIANCE, b->var}};
    TRY(run(b->fwd, 6, args));
fail:
    (void)where;
    pthread_mutex_unlock(&b->lock);
    return (int)status;
}

// MARK: - Max pooling

struct smear_dnnl_pool {
    pthread_mutex_t lock;
    dnnl_primitive_desc_t fwd_pd, bwd_pd;
    dnnl_primitive_t fwd, bwd;
    dnnl_memory_t src, dst, diff_src, diff_dst, workspace;
    size_t workspace_size;
};

smear_dnnl_pool *smear_dnnl_maxpool_create(int64_t n, int64_t c, int64_t h, int64_t w, int64_t kernel,
                                           int64_t stride, int64_t padding, int training, char *err, size_t err_size) {
    dnnl_status_t status = engine_ready();
    const char *where = "dnnl_engine_create";
    smear_dnnl_pool *p = calloc(1, sizeof *p);
    if (status != dnnl_success) goto fail;
    if (!p) { status = dnnl_out_of_memory; where = "calloc"; goto fail; }
    pthread_mutex_init(&p->lock, NULL);
    int64_t oh = (h + 2 * padding - kernel) / stride + 1, ow = (w + 2 * padding - kernel) / stride + 1;
    dnnl_dims_t src_dims = {n, c, h, w}, dst_dims = {n, c, oh, ow};
    dnnl_dims_t strides = {stride, stride}, kernels = {kernel, kernel}, pad_l = {padding, padding};
    dnnl_dims_t pad_r = {(oh - 1) * stride + kernel - h - padding, (ow - 1) * stride + kernel - w - padding};
    dnnl_memory_desc_t src_md, dst_md;
    TRY(dnnl_memory_desc_init_by_tag(&src_md, 4, src_dims, dnnl_f32, dnnl_nhwc));
    TRY(dnnl_memory_desc_init_by_tag(&dst_md, 4, dst_dims, dnnl_f32, dnnl_nhwc));
    dnnl_pooling_desc_t desc;
    TRY(dnnl_pooling_forward_desc_init(&desc, training ? dnnl_forward_training : dnnl_forward_inference,
                                       dnnl_pooling_max, &src_md, &dst_md, strides, kernels, pad_l, pad_r));
    TRY(dnnl_primitive_desc_create(&p->fwd_pd, &desc, NULL, smear_engine, NULL));
    TRY(dnnl_primitive_create(&p->fwd, p->fwd_pd));
    const dnnl_memory_desc_t *ws = dnnl_primitive_desc_query_md(p->fwd_pd, dnnl_query_workspace_md, 0);
    p->workspace_size = ws ? dnnl_memory_desc_get_size(ws) : 0;
    if (p->workspace_size) TRY(user_memory(&p->workspace, ws));
    TRY(user_memory(&p->src, &src_md));
    TRY(user_memory(&p->diff_src, &src_md));
    TRY(user_memory(&p->dst, &dst_md));
    TRY(user_memory(&p->diff_dst, &dst_md));
    if (training) {
        dnnl_pooling_desc_t bdesc;
        TRY(dnnl_pooling_backward_desc_init(&bdesc, dnnl_pooling_max, &src_md, &dst_md, strides, kernels, pad_l, pad_r));
        TRY(dnnl_primitive_desc_create(&p->bwd_pd, &bdesc, NULL, smear_engine, p->fwd_pd));
        TRY(dnnl_primitive_create(&p->bwd, p->bwd_pd));
    }
    return p;
fail:
    describe_failure(err, err_size, "max pooling", status, where);
    free(p);
    return NULL;
}

size_t smear_dnnl_pool_workspace_size(smear_dnnl_pool *p) { return p->workspace_size; }

int smear_dnnl_pool_forward(smear_dnnl_pool *p, const float *src, float *dst, void *workspace) {
    dnnl_status_t status;
    const char *where;
    pthread_mutex_lock(&p->lock);
    TRY(dnnl_memory_set_data_handle(p->src, handle(src)));
    TRY(dnnl_memory_set_data_handle(p->dst, dst));
    dnnl_exec_arg_t args[3] = {{DNNL_ARG_SRC, p->src}, {DNNL_ARG_DST, p->dst}};
    int count = 2;
    if (p->workspace) {
        TRY(dnnl_memory_set_data_handle(p->workspace, workspace));
        args[count++] = (dnnl_exec_arg_t){DNNL_ARG_WORKSPACE, p->workspace};
    }
    TRY(run(p->fwd, count, args));
fail:
    (void)where;
    pthread_mutex_unlock(&p->lock);
    return (int)status;
}

int smear_dnnl_pool_backward(smear_dnnl_pool *p, const float *diff_dst, const void *workspace, float *diff_src) {
    if (!p->bwd) return dnnl_invalid_arguments;
    dnnl_status_t status;
    const char *where;
    pthread_mutex_lock(&p->lock);
    TRY(dnnl_memory_set_data_handle(p->diff_dst, handle(diff_dst)));
    TRY(dnnl_memory_set_data_handle(p->diff_src, diff_src));
    dnnl_exec_arg_t args[3] = {{DNNL_ARG_DIFF_DST, p->diff_dst}, {DNNL_ARG_DIFF_SRC, p->diff_src}};
    int count = 2;
    if (p->workspace) {
        TRY(dnnl_memory_set_data_handle(p->workspace, handle(workspace)));
        args[count++] = (dnnl_exec_arg_t){DNNL_ARG_WORKSPACE, p->workspace};
    }
    TRY(run(p->bwd, count, args));
fail:
    (void)where;
    pthread_mutex_unlock(&p->lock);
    return (int)status;
}
