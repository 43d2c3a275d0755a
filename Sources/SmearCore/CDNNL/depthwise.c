// Depthwise convolution through oneDNN's grouped convolution (groups = channels): see include/smear_dnnl.h.
//
// Activations are NHWC straight from smear's buffers; the taps are smear's [KH, KW, C] (a tap's C weights
// contiguous), described to oneDNN as the 5-D grouped weights [G = C, 1, 1, KH, KW] with strides, and reordered into
// the layout its depthwise kernel wants ("any") inside each call, as the weights change every step. Padding may
// differ between the sides (TensorFlow's SAME padding).
#include "smear_dnnl.h"

#include "dnnl_common.h"

#include <pthread.h>
#include <stdlib.h>

struct smear_dnnl_depthwise {
    pthread_mutex_t lock;
    smear_depthwise_geometry g;
    int bias, training;
    dnnl_memory_desc_t src_md, dst_md, user_taps_md, bias_md;
    dnnl_dims_t strides, pad_l, pad_r;
    dnnl_primitive_desc_t fwd_pd, bwd_data_pd, bwd_weights_pd;
    dnnl_primitive_t fwd, bwd_data, bwd_weights, fwd_reorder, bwd_data_reorder, bwd_weights_reorder;
    dnnl_memory_t src, dst, diff_src, diff_dst, user_taps, user_diff_taps, bias_mem, fwd_taps, bwd_data_taps, diff_taps;
};

static void weights_dims(smear_depthwise_geometry g, dnnl_dims_t dims) {
    dims[0] = g.c; dims[1] = 1; dims[2] = 1; dims[3] = g.kh; dims[4] = g.kw;
}

smear_dnnl_depthwise *smear_dnnl_depthwise_create(smear_depthwise_geometry g, int bias, int training, int activation,
                                                  char *err, size_t err_size) {
    dnnl_primitive_attr_t attr = NULL;
    dnnl_post_ops_t ops = NULL;
    dnnl_status_t status = engine_ready();
    const char *where = "dnnl_engine_create";
    smear_dnnl_depthwise *d = calloc(1, sizeof *d);
    if (status != dnnl_success) goto fail;
    if (!d) { status = dnnl_out_of_memory; where = "calloc"; goto fail; }
    pthread_mutex_init(&d->lock, NULL);
    d->g = g; d->bias = bias; d->training = training;
    int64_t oh = (g.h + g.top + g.bottom - g.kh) / g.stride + 1, ow = (g.w + g.left + g.right - g.kw) / g.stride + 1;
    dnnl_dims_t src_dims = {g.n, g.c, g.h, g.w}, dst_dims = {g.n, g.c, oh, ow}, w_dims, b_dims = {g.c};
    weights_dims(g, w_dims);
    dnnl_dims_t w_strides = {1, 1, 1, g.kw * g.c, g.c};   // [KH, KW, C] in memory
    d->strides[0] = d->strides[1] = g.stride;
    d->pad_l[0] = g.top; d->pad_l[1] = g.left;
    d->pad_r[0] = (oh - 1) * g.stride + g.kh - g.h - g.top;   // what the last window reaches (floor rounding)
    d->pad_r[1] = (ow - 1) * g.stride + g.kw - g.w - g.left;
    TRY(dnnl_memory_desc_init_by_tag(&d->src_md, 4, src_dims, dnnl_f32, dnnl_nhwc));
    TRY(dnnl_memory_desc_init_by_tag(&d->dst_md, 4, dst_dims, dnnl_f32, dnnl_nhwc));
    TRY(dnnl_memory_desc_init_by_strides(&d->user_taps_md, 5, w_dims, dnnl_f32, w_strides));
    TRY(dnnl_memory_desc_init_by_tag(&d->bias_md, 1, b_dims, dnnl_f32, dnnl_a));
    dnnl_memory_desc_t any_taps;
    TRY(dnnl_memory_desc_init_by_tag(&any_taps, 5, w_dims, dnnl_f32, dnnl_format_tag_any));
    dnnl_convolution_desc_t desc;
    TRY(dnnl_convolution_forward_desc_init(&desc, training ? dnnl_forward_training : dnnl_forward_inference, dnnl_convolution_direct,
                                           &d->src_md, &any_taps, bias ? &d->bias_md : NULL, &d->dst_md, d->strides, d->pad_l, d->pad_r));
    if (activation) {
        TRY(dnnl_post_ops_create(&ops));
        TRY(append_activation(ops, activation));
        TRY(dnnl_primitive_attr_create(&attr));
        TRY(dnnl_primitive_attr_set_post_ops(attr, ops));
    }
    TRY(dnnl_primitive_desc_create(&d->fwd_pd, &desc, attr, smear_engine, NULL));
    TRY(dnnl_primitive_create(&d->fwd, d->fwd_pd));
    const dnnl_memory_desc_t *fw = dnnl_primitive_desc_query_md(d->fwd_pd, dnnl_query_weights_md, 0);
    TRY(make_reorder(&d->user_taps_md, fw, &d->fwd_reorder));
    TRY(dnnl_memory_create(&d->fwd_taps, fw, smear_engine, DNNL_MEMORY_ALLOCATE));
    TRY(user_memory(&d->src, &d->src_md));
    TRY(user_memory(&d->dst, &d->dst_md));
    TRY(user_memory(&d->diff_src, &d->src_md));
    TRY(user_memory(&d->diff_dst, &d->dst_md));
    TRY(user_memory(&d->user_taps, &d->user_taps_md));
    TRY(user_memory(&d->user_diff_taps, &d->user_taps_md));
    TRY(user_memory(&d->bias_mem, &d->bias_md));
    if (attr) dnnl_primitive_attr_destroy(attr);
    if (ops) dnnl_post_ops_destroy(ops);
    return d;
fail:
    describe_failure(err, err_size, "depthwise convolution", status, where);
    if (attr) dnnl_primitive_attr_destroy(attr);
    if (ops) dnnl_post_ops_destroy(ops);
    free(d);
    return NULL;
}

const char *smear_dnnl_depthwise_impl(smear_dnnl_depthwise *d, int which) {
    return impl_name(which == 0 ? d->fwd_pd : which == 1 ? d->bwd_data_pd : d->bwd_weights_pd);
}

/// The taps in a primitive's layout (reordered into `own`, or the user's buffer as it is). Lock held.
static dnnl_status_t taps_for(smear_dnnl_depthwise *d, dnnl_primitive_t reorder, dnnl_memory_t own, const float *taps, dnnl_memory_t *out) {
    dnnl_status_t status = dnnl_memory_set_data_handle(d->user_taps, handle(taps));
    *out = d->user_taps;
    if (status == dnnl_success && reorder) { status = run_reorder(reorder, d->user_taps, own); *out = own; }
    return status;
}

int smear_dnnl_depthwise_forward(smear_dnnl_depthwise *d, const float *src, const float *taps, const float *bias, float *dst) {
    dnnl_status_t status;
    const char *where;
    pthread_mutex_lock(&d->lock);
    dnnl_memory_t t;
    TRY(dnnl_memory_set_data_handle(d->src, handle(src)));
    TRY(dnnl_memory_set_data_handle(d->dst, dst));
    TRY(taps_for(d, d->fwd_reorder, d->fwd_taps, taps, &t));
    dnnl_exec_arg_t args[4] = {{DNNL_ARG_SRC, d->src}, {DNNL_ARG_WEIGHTS, t}, {DNNL_ARG_DST, d->dst}};
    int count = 3;
    if (d->bias) {
        TRY(dnnl_memory_set_data_handle(d->bias_mem, handle(bias)));
        args[count++] = (dnnl_exec_arg_t){DNNL_ARG_BIAS, d->bias_mem};
    }
    TRY(run(d->fwd, count, args));
fail:
    (void)where;
    pthread_mutex_unlock(&d->lock);
    return (int)status;
}

/// The backward primitives, made on first use (lock held).
static dnnl_status_t make_backward(smear_dnnl_depthwise *d) {
    if (d->bwd_data) return dnnl_success;
    if (!d->training) return dnnl_invalid_arguments;
    dnnl_status_t status;
    const char *where;
    dnnl_dims_t w_dims;
    weights_dims(d->g, w_dims);
    dnnl_memory_desc_t any_taps;
    dnnl_convolution_desc_t desc;
    TRY(dnnl_memory_desc_init_by_tag(&any_taps, 5, w_dims, dnnl_f32, dnnl_format_tag_any));
    TRY(dnnl_convolution_backward_data_desc_init(&desc, dnnl_convolution_direct, &d->src_md, &any_taps, &d->dst_md,
                                                 d->strides, d->pad_l, d->pad_r));
    TRY(dnnl_primitive_desc_create(&d->bwd_data_pd, &desc, NULL, smear_engine, d->fwd_pd));
    TRY(dnnl_primitive_create(&d->bwd_data, d->bwd_data_pd));
    const dnnl_memory_desc_t *bw = dnnl_primitive_desc_query_md(d->bwd_data_pd, dnnl_query_weights_md, 0);
    TRY(make_reorder(&d->user_taps_md, bw, &d->bwd_data_reorder));
    TRY(dnnl_memory_create(&d->bwd_data_taps, bw, smear_engine, DNNL_MEMORY_ALLOCATE));
    TRY(dnnl_convolution_backward_weights_desc_init(&desc, dnnl_convolution_direct, &d->src_md, &any_taps,
                                                    d->bias ? &d->bias_md : NULL, &d->dst_md, d->strides, d->pad_l, d->pad_r));
    TRY(dnnl_primitive_desc_create(&d->bwd_weights_pd, &desc, NULL, smear_engine, d->fwd_pd));
    TRY(dnnl_primitive_create(&d->bwd_weights, d->bwd_weights_pd));
    const dnnl_memory_desc_t *dw = dnnl_primitive_desc_query_md(d->bwd_weights_pd, dnnl_query_diff_weights_md, 0);
    TRY(make_reorder(dw, &d->user_taps_md, &d->bwd_weights_reorder));
    TRY(dnnl_memory_create(&d->diff_taps, dw, smear_engine, DNNL_MEMORY_ALLOCATE));
fail:
    (void)where;
    return status;
}

int smear_dnnl_depthwise_backward(smear_dnnl_depthwise *d, const float *src, const float *diff_dst, const float *taps,
                                  float *diff_src, float *diff_taps, float *diff_bias) {
    dnnl_status_t status;
    const char *where;
    pthread_mutex_lock(&d->lock);
    TRY(make_backward(d));
    TRY(dnnl_memory_set_data_handle(d->diff_dst, handle(diff_dst)));
    if (diff_src) {
        dnnl_memory_t t;
        TRY(taps_for(d, d->bwd_data_reorder, d->bwd_data_taps, taps, &t));
        TRY(dnnl_memory_set_data_handle(d->diff_src, diff_src));
        dnnl_exec_arg_t args[] = {{DNNL_ARG_DIFF_DST, d->diff_dst}, {DNNL_ARG_WEIGHTS, t}, {DNNL_ARG_DIFF_SRC, d->diff_src}};
        TRY(run(d->bwd_data, 3, args));
    }
    if (diff_taps) {
        TRY(dnnl_memory_set_data_handle(d->src, handle(src)));
        TRY(dnnl_memory_set_data_handle(d->user_diff_taps, diff_taps));
        dnnl_memory_t dt = d->bwd_weights_reorder ? d->diff_taps : d->user_diff_taps;
        dnnl_exec_arg_t args[4] = {{DNNL_ARG_SRC, d->src}, {DNNL_ARG_DIFF_DST, d->diff_dst}, {DNNL_ARG_DIFF_WEIGHTS, dt}};
        int count = 3;
        if (d->bias) {
            TRY(dnnl_memory_set_data_handle(d->bias_mem, diff_bias));
            args[count++] = (dnnl_exec_arg_t){DNNL_ARG_DIFF_BIAS, d->bias_mem};
        }
        TRY(run(d->bwd_weights, count, args));
        if (d->bwd_weights_reorder) TRY(run_reorder(d->bwd_weights_reorder, d->diff_taps, d->user_diff_taps));
    }
fail:
    (void)where;
    pthread_mutex_unlock(&d->lock);
    return (int)status;
}
