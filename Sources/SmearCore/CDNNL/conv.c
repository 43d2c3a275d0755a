// Convolution through oneDNN: see include/smear_dnnl.h for the contract.
//
// Every primitive is created for NHWC activations and "any" weight layout (oneDNN's blocked layout for
// the CPU: the jit/brgemm kernels, about 200 GFLOP/s on AVX-512 here, where a fixed OHWI layout
// falls back to the reference kernel at 0.1 GFLOP/s). User buffers are wrapped in memory objects
// whose data handle is set per call; weights are reordered into the object's own buffer each call.
#include "smear_dnnl.h"

#include "dnnl_common.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

// MARK: - Convolution

struct smear_dnnl_conv {
    pthread_mutex_t lock;
    smear_conv_geometry g;
    int bias, training;
    dnnl_memory_desc_t src_md, dst_md, user_weights_md, bias_md;
    dnnl_dims_t strides, pad_l, pad_r;
    dnnl_primitive_desc_t fwd_pd, bwd_data_pd, bwd_weights_pd;
    dnnl_primitive_t fwd, bwd_data, bwd_weights;
    // Reorders of the OHWI weights into each primitive's layout (NULL when it is OHWI already).
    dnnl_primitive_t fwd_reorder, bwd_data_reorder, bwd_weights_reorder;
    dnnl_memory_t src, dst, diff_src, diff_dst, user_weights, user_diff_weights, bias_mem,
        fwd_weights, bwd_data_weights, diff_weights;
};

smear_dnnl_conv *smear_dnnl_conv_create(smear_conv_geometry g, int bias, int training, int relu, int sum,
                                        char *err, size_t err_size) {
    dnnl_status_t status = engine_ready();
    const char *where = "dnnl_engine_create";
    smear_dnnl_conv *c = calloc(1, sizeof *c);
    dnnl_primitive_attr_t attr = NULL;
    dnnl_post_ops_t ops = NULL;
    if (status != dnnl_success) goto fail;
    if (!c) { status = dnnl_out_of_memory; where = "calloc"; goto fail; }
    pthread_mutex_init(&c->lock, NULL);
    c->g = g; c->bias = bias; c->training = training;
    int64_t oh = (g.h + 2 * g.padding - g.kh) / g.stride + 1, ow = (g.w + 2 * g.padding - g.kw) / g.stride + 1;
    dnnl_dims_t src_dims = {g.n, g.c, g.h, g.w}, dst_dims = {g.n, g.o, oh, ow}, w_dims = {g.o, g.c, g.kh, g.kw};
    dnnl_dims_t b_dims = {g.o};
    c->strides[0] = c->strides[1] = g.stride;
    c->pad_l[0] = c->pad_l[1] = g.padding;
    // PyTorch's floor rounding: the right/bottom padding that the last window actually reaches.
    c->pad_r[0] = (oh - 1) * g.stride + g.kh - g.h - g.padding;
    c->pad_r[1] = (ow - 1) * g.stride + g.kw - g.w - g.padding;
    dnnl_memory_desc_t any_weights;
    TRY(dnnl_memory_desc_init_by_tag(&c->src_md, 4, src_dims, dnnl_f32, dnnl_nhwc));
    TRY(dnnl_memory_desc_init_by_tag(&c->dst_md, 4, dst_dims, dnnl_f32, dnnl_nhwc));
    TRY(dnnl_memory_desc_init_by_tag(&c->user_weights_md, 4, w_dims, dnnl_f32, dnnl_ohwi));
    TRY(dnnl_memory_desc_init_by_tag(&any_weights, 4, w_dims, dnnl_f32, dnnl_format_tag_any));
    TRY(dnnl_memory_desc_init_by_tag(&c->bias_md, 1, b_dims, dnnl_f32, dnnl_a));
    dnnl_convolution_desc_t desc;
    TRY(dnnl_convolution_forward_desc_init(&desc, training ? dnnl_forward_training : dnnl_forward_inference,
                                           dnnl_convolution_direct, &c->src_md, &any_weights,
                                           bias ? &c->bias_md : NULL, &c->dst_md, c->strides, c->pad_l, c->pad_r));
    if (relu || sum) {
        TRY(dnnl_post_ops_create(&ops));
        if (sum) TRY(dnnl_post_ops_append_sum(ops, 1.0f));
        if (relu) TRY(dnnl_post_ops_append_eltwise(ops, 1.0f, dnnl_eltwise_relu, 0.0f, 0.0f));
        TRY(dnnl_primitive_attr_create(&attr));
        TRY(dnnl_primitive_attr_set_post_ops(attr, ops));
    }
    TRY(dnnl_primitive_desc_create(&c->fwd_pd, &desc, attr, smear_engine, NULL));
    TRY(dnnl_primitive_create(&c->fwd, c->fwd_pd));
    const dnnl_memory_desc_t *fw = dnnl_primitive_desc_query_md(c->fwd_pd, dnnl_query_weights_md, 0);
    TRY(make_reorder(&c->user_weights_md, fw, &c->fwd_reorder));
    TRY(user_memory(&c->src, &c->src_md));
    TRY(user_memory(&c->dst, &c->dst_md));
    TRY(user_memory(&c->diff_src, &c->src_md));
    TRY(user_memory(&c->diff_dst, &c->dst_md));
    TRY(user_memory(&c->user_weights, &c->user_weights_md));
    TRY(user_memory(&c->user_diff_weights, &c->user_weights_md));
    TRY(user_memory(&c->bias_mem, &c->bias_md));
    TRY(dnnl_memory_create(&c->fwd_weights, fw, smear_engine, DNNL_MEMORY_ALLOCATE));
    if (attr) dnnl_primitive_attr_destroy(attr);
    if (ops) dnnl_post_ops_destroy(ops);
    return c;
fail:
    describe_failure(err, err_size, "convolution", status, where);
    if (attr) dnnl_primitive_attr_destroy(attr);
    if (ops) dnnl_post_ops_destroy(ops);
    free(c);   // creation failures are rare (unsupported geometry); the partial objects are leaked
    return NULL;
}

const char *smear_dnnl_conv_impl(smear_dnnl_conv *c, int which) {
    return impl_name(which == 0 ? c->fwd_pd : which == 1 ? c->bwd_data_pd : c->bwd_weights_pd);
}

int smear_dnnl_conv_forward(smear_dnnl_conv *c, const float *src, const float *weights, const float *bias, float *dst) {
    dnnl_status_t status;
    const char *where;
    pthread_mutex_lock(&c->lock);
    TRY(dnnl_memory_set_data_handle(c->src, handle(src)));
    TRY(dnnl_memory_set_data_handle(c->dst, dst));
    TRY(dnnl_memory_set_data_handle(c->user_weights, handle(weights)));
    dnnl_memory_t w = c->user_weights;
    if (c->fwd_reorder) { TRY(run_reorder(c->fwd_reorder, c->user_weights, c->fwd_weights)); w = c->fwd_weights; }
    dnnl_exec_arg_t args[4] = {{DNNL_ARG_SRC, c->src}, {DNNL_ARG_WEIGHTS, w}, {DNNL_ARG_DST, c->dst}};
    int count = 3;
    if (c->bias) {
        TRY(dnnl_memory_set_data_handle(c->bias_mem, handle(bias)));
        args[count++] = (dnnl_exec_arg_t){DNNL_ARG_BIAS, c->bias_mem};
    }
    TRY(run(c->fwd, count, args));
fail:
    (void)where;
    pthread_mutex_unlock(&c->lock);
    return (int)status;
}

/// Makes the backward-data primitive on first use (lock held).
static dnnl_status_t make_backward_data(smear_dnnl_conv *c) {
    if (c->bwd_data) return dnnl_success;
    if (!c->training) return dnnl_invalid_arguments;
    dnnl_status_t status;
    const char *where;
    dnnl_memory_desc_t any_weights;
    dnnl_dims_t w_dims = {c->g.o, c->g.c, c->g.kh, c->g.kw};
    dnnl_convolution_desc_t desc;
    TRY(dnnl_memory_desc_init_by_tag(&any_weights, 4, w_dims, dnnl_f32, dnnl_format_tag_any));
    TRY(dnnl_convolution_backward_data_desc_init(&desc, dnnl_convolution_direct, &c->src_md, &any_weights,
                                                 &c->dst_md, c->strides, c->pad_l, c->pad_r));
    TRY(dnnl_primitive_desc_create(&c->bwd_data_pd, &desc, NULL, smear_engine, c->fwd_pd));
    TRY(dnnl_primitive_create(&c->bwd_data, c->bwd_data_pd));
    const dnnl_memory_desc_t *bw = dnnl_primitive_desc_query_md(c->bwd_data_pd, dnnl_query_weights_md, 0);
    TRY(make_reorder(&c->user_weights_md, bw, &c->bwd_data_reorder));
    TRY(dnnl_memory_create(&c->bwd_data_weights, bw, smear_engine, DNNL_MEMORY_ALLOCATE));
fail:
    (void)where;
    return status;
}

int smear_dnnl_conv_backward_data(smear_dnnl_conv *c, const float *diff_dst, const float *weights, float *diff_src) {
    dnnl_status_t status;
    const char *where;
    pthread_mutex_lock(&c->lock);
    TRY(make_backward_data(c));
    TRY(dnnl_memory_set_data_handle(c->diff_dst, handle(diff_dst)));
    TRY(dnnl_memory_set_data_handle(c->diff_src, diff_src));
    TRY(dnnl_memory_set_data_handle(c->user_weights, handle(weights)));
    dnnl_memory_t w = c->user_weights;
    if (c->bwd_data_reorder) { TRY(run_reorder(c->bwd_data_reorder, c->user_weights, c->bwd_data_weights)); w = c->bwd_data_weights; }
    dnnl_exec_arg_t args[] = {{DNNL_ARG_DIFF_DST, c->diff_dst}, {DNNL_ARG_WEIGHTS, w}, {DNNL_ARG_DIFF_SRC, c->diff_src}};
    TRY(run(c->bwd_data, 3, args));
fail:
    (void)where;
    pthread_mutex_unlock(&c->lock);
    return (int)status;
}

/// Makes the backward-weights primitive on first use (lock held).
static dnnl_status_t make_backward_weights(smear_dnnl_conv *c) {
    if (c->bwd_weights) return dnnl_success;
    if (!c->training) return dnnl_invalid_arguments;
    dnnl_status_t status;
    const char *where;
    dnnl_memory_desc_t any_weights;
    dnnl_dims_t w_dims = {c->g.o, c->g.c, c->g.kh, c->g.kw};
    dnnl_convolution_desc_t desc;
    TRY(dnnl_memory_desc_init_by_tag(&any_weights, 4, w_dims, dnnl_f32, dnnl_format_tag_any));
    TRY(dnnl_convolution_backward_weights_desc_init(&desc, dnnl_convolution_direct, &c->src_md, &any_weights,
                                                    c->bias ? &c->bias_md : NULL, &c->dst_md, c->strides,
                                                    c->pad_l, c->pad_r));
    TRY(dnnl_primitive_desc_create(&c->bwd_weights_pd, &desc, NULL, smear_engine, c->fwd_pd));
    TRY(dnnl_primitive_create(&c->bwd_weights, c->bwd_weights_pd));
    const dnnl_memory_desc_t *dw = dnnl_primitive_desc_query_md(c->bwd_weights_pd, dnnl_query_diff_weights_md, 0);
    TRY(make_reorder(dw, &c->user_weights_md, &c->bwd_weights_reorder));
    TRY(dnnl_memory_create(&c->diff_weights, dw, smear_engine, DNNL_MEMORY_ALLOCATE));
fail:
    (void)where;
    return status;
}

int smear_dnnl_conv_backward_weights(smear_dnnl_conv *c, const float *src, const float *diff_dst,
                                     float *diff_weights, float *diff_bias) {
    dnnl_status_t status;
    const char *where;
    pthread_mutex_lock(&c->lock);
    TRY(make_backward_weights(c));
    TRY(dnnl_memory_set_data_handle(c->src, handle(src)));
    TRY(dnnl_memory_set_data_handle(c->diff_dst, handle(diff_dst)));
    TRY(dnnl_memory_set_data_handle(c->user_diff_weights, diff_weights));
    dnnl_memory_t dw = c->bwd_weights_reorder ? c->diff_weights : c->user_diff_weights;
    dnnl_exec_arg_t args[4] = {{DNNL_ARG_SRC, c->src}, {DNNL_ARG_DIFF_DST, c->diff_dst}, {DNNL_ARG_DIFF_WEIGHTS, dw}};
    int count = 3;
    if (c->bias && diff_bias) {
        TRY(dnnl_memory_set_data_handle(c->bias_mem, diff_bias));
        args[count++] = (dnnl_exec_arg_t){DNNL_ARG_DIFF_BIAS, c->bias_mem};
    }
    TRY(run(c->bwd_weights, count, args));
    if (c->bwd_weights_reorder) TRY(run_reorder(c->bwd_weights_reorder, c->diff_weights, c->user_diff_weights));
fail:
    (void)where;
    pthread_mutex_unlock(&c->lock);
    return (int)status;
}
