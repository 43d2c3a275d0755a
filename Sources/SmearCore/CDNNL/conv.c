// Convolution through oneDNN: see include/smear_dnnl.h for the contract.
//
// Two algorithms, chosen per geometry when the object is made:
// - direct: NHWC activations straight from smear's buffers, "any" weight layout (oneDNN's blocked
//   layout for the CPU: brgemm/jit kernels, about 200 GFLOP/s on 2 AVX-512 cores; a fixed OHWI layout
//   would fall back to the reference kernel at 0.1 GFLOP/s);
// - Winograd F(4×4, 3×3) for 3×3 stride-1 convolutions with channels in multiples of 16 and maps of
//   at least 4×4: about twice the direct kernel's speed (2.25× fewer multiplications), with rounding
//   within 2× of the direct kernel's. It runs on oneDNN's nChw16c layout, so activations are reordered
//   into the object's own two buffers and back inside each call (a few percent of the convolution).
// User buffers are wrapped in memory objects whose data handle is set per call; the OHWI weights are
// reordered into the object's own buffer each call (the weights change every step).
#include "smear_dnnl.h"

#include "dnnl_common.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct smear_dnnl_conv {
    pthread_mutex_t lock;
    smear_conv_geometry g;
    int bias, training, winograd, sum;
    dnnl_alg_kind_t alg;
    // User layouts (NHWC, OHWI, [O]) and the primitive's activation layouts (equal unless Winograd).
    dnnl_memory_desc_t src_md, dst_md, user_weights_md, bias_md, prim_src_md, prim_dst_md;
    dnnl_dims_t strides, pad_l, pad_r;
    dnnl_primitive_desc_t fwd_pd, bwd_data_pd, bwd_weights_pd;
    dnnl_primitive_t fwd, bwd_data, bwd_weights;
    // Reorders of the OHWI weights into each primitive's layout (NULL when it is OHWI already).
    dnnl_primitive_t fwd_reorder, bwd_data_reorder, bwd_weights_reorder;
    // Winograd only: NHWC ↔ nChw16c reorders of source-shaped and destination-shaped data.
    dnnl_primitive_t src_in, src_out, dst_in, dst_out;
    dnnl_memory_t src, dst, diff_src, diff_dst, user_weights, user_diff_weights, bias_mem,
        fwd_weights, bwd_data_weights, diff_weights, blocked_src, blocked_dst;
};

/// Whether Winograd suits this geometry (and is allowed: SMEAR_WINOGRAD=0 turns it off).
static int wants_winograd(smear_conv_geometry g, int64_t oh, int64_t ow) {
    const char *env = getenv("SMEAR_WINOGRAD");
    if (env && env[0] == '0') return 0;
    return g.kh == 3 && g.kw == 3 && g.stride == 1 && g.padding == 1 && g.c % 16 == 0 && g.o % 16 == 0
        && oh >= 4 && ow >= 4;
}

/// Makes the forward primitive with algorithm `alg` and activation layout `tag` (the rest follows).
static dnnl_status_t make_forward(smear_dnnl_conv *c, dnnl_alg_kind_t alg, dnnl_format_tag_t tag, int activation, int sum) {
    dnnl_status_t status;
    const char *where;
    dnnl_primitive_attr_t attr = NULL;
    dnnl_post_ops_t ops = NULL;
    dnnl_memory_desc_t any_weights;
    dnnl_dims_t w_dims = {c->g.o, c->g.c, c->g.kh, c->g.kw};
    TRY(dnnl_memory_desc_init_by_tag(&any_weights, 4, w_dims, dnnl_f32, dnnl_format_tag_any));
    TRY(dnnl_memory_desc_init_by_tag(&c->prim_src_md, 4, c->src_md.dims, dnnl_f32, tag));
    TRY(dnnl_memory_desc_init_by_tag(&c->prim_dst_md, 4, c->dst_md.dims, dnnl_f32, tag));
    dnnl_convolution_desc_t desc;
    // Winograd's inference kernels want a weight layout that no reorder produces: use the training one.
    dnnl_prop_kind_t prop = c->training || alg == dnnl_convolution_winograd ? dnnl_forward_training : dnnl_forward_inference;
    TRY(dnnl_convolution_forward_desc_init(&desc, prop, alg,
                                           &c->prim_src_md, &any_weights, c->bias ? &c->bias_md : NULL,
                                           &c->prim_dst_md, c->strides, c->pad_l, c->pad_r));
    if (activation || sum) {
        TRY(dnnl_post_ops_create(&ops));
        if (sum) TRY(dnnl_post_ops_append_sum(ops, 1.0f));
        TRY(append_activation(ops, activation));
        TRY(dnnl_primitive_attr_create(&attr));
        TRY(dnnl_primitive_attr_set_post_ops(attr, ops));
    }
    TRY(dnnl_primitive_desc_create(&c->fwd_pd, &desc, attr, smear_engine, NULL));
    c->alg = alg;
fail:
    (void)where;
    if (attr) dnnl_primitive_attr_destroy(attr);
    if (ops) dnnl_post_ops_destroy(ops);
    return status;
}

smear_dnnl_conv *smear_dnnl_conv_create(smear_conv_geometry g, int bias, int training, int activation, int sum,
                                        char *err, size_t err_size) {
    dnnl_status_t status = engine_ready();
    const char *where = "dnnl_engine_create";
    smear_dnnl_conv *c = calloc(1, sizeof *c);
    if (status != dnnl_success) goto fail;
    if (!c) { status = dnnl_out_of_memory; where = "calloc"; goto fail; }
    pthread_mutex_init(&c->lock, NULL);
    c->g = g; c->bias = bias; c->training = training; c->sum = sum;
    int64_t oh = (g.h + 2 * g.padding - g.kh) / g.stride + 1, ow = (g.w + 2 * g.padding - g.kw) / g.stride + 1;
    dnnl_dims_t src_dims = {g.n, g.c, g.h, g.w}, dst_dims = {g.n, g.o, oh, ow}, w_dims = {g.o, g.c, g.kh, g.kw};
    dnnl_dims_t b_dims = {g.o};
    c->strides[0] = c->strides[1] = g.stride;
    c->pad_l[0] = c->pad_l[1] = g.padding;
    // PyTorch's floor rounding: the right/bottom padding that the last window actually reaches.
    c->pad_r[0] = (oh - 1) * g.stride + g.kh - g.h - g.padding;
    c->pad_r[1] = (ow - 1) * g.stride + g.kw - g.w - g.padding;
    TRY(dnnl_memory_desc_init_by_tag(&c->src_md, 4, src_dims, dnnl_f32, dnnl_nhwc));
    TRY(dnnl_memory_desc_init_by_tag(&c->dst_md, 4, dst_dims, dnnl_f32, dnnl_nhwc));
    TRY(dnnl_memory_desc_init_by_tag(&c->user_weights_md, 4, w_dims, dnnl_f32, dnnl_ohwi));
    TRY(dnnl_memory_desc_init_by_tag(&c->bias_md, 1, b_dims, dnnl_f32, dnnl_a));
    // Winograd where it suits and the CPU has a kernel for it; direct otherwise.
    c->winograd = wants_winograd(g, oh, ow)
        && make_forward(c, dnnl_convolution_winograd, dnnl_nChw16c, activation, sum) == dnnl_success;
    if (!c->winograd) TRY(make_forward(c, dnnl_convolution_direct, dnnl_nhwc, activation, sum));
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
    if (c->winograd) {
        TRY(dnnl_memory_create(&c->blocked_src, &c->prim_src_md, smear_engine, DNNL_MEMORY_ALLOCATE));
        TRY(dnnl_memory_create(&c->blocked_dst, &c->prim_dst_md, smear_engine, DNNL_MEMORY_ALLOCATE));
        TRY(make_reorder(&c->src_md, &c->prim_src_md, &c->src_in));
        TRY(make_reorder(&c->prim_src_md, &c->src_md, &c->src_out));
        TRY(make_reorder(&c->dst_md, &c->prim_dst_md, &c->dst_in));
        TRY(make_reorder(&c->prim_dst_md, &c->dst_md, &c->dst_out));
    }
    return c;
fail:
    describe_failure(err, err_size, "convolution", status, where);
    free(c);   // creation failures are rare (unsupported geometry); the partial objects are leaked
    return NULL;
}

const char *smear_dnnl_conv_impl(smear_dnnl_conv *c, int which) {
    return impl_name(which == 0 ? c->fwd_pd : which == 1 ? c->bwd_data_pd : c->bwd_weights_pd);
}

/// Reorders the user's OHWI weights for a primitive (or uses them as they are). Lock held.
static dnnl_status_t weights_for(smear_dnnl_conv *c, dnnl_primitive_t reorder, dnnl_memory_t own, const float *weights,
                                 dnnl_memory_t *out) {
    dnnl_status_t status = dnnl_memory_set_data_handle(c->user_weights, handle(weights));
    *out = c->user_weights;
    if (status == dnnl_success && reorder) { status = run_reorder(reorder, c->user_weights, own); *out = own; }
    return status;
}

int smear_dnnl_conv_forward(smear_dnnl_conv *c, const float *src, const float *weights, const float *bias, float *dst) {
    dnnl_status_t status;
    const char *where;
    pthread_mutex_lock(&c->lock);
    TRY(dnnl_memory_set_data_handle(c->src, handle(src)));
    TRY(dnnl_memory_set_data_handle(c->dst, dst));
    dnnl_memory_t w, s = c->src, d = c->dst;
    TRY(weights_for(c, c->fwd_reorder, c->fwd_weights, weights, &w));
    if (c->winograd) {
        TRY(run_reorder(c->src_in, c->src, c->blocked_src));
        if (c->sum) TRY(run_reorder(c->dst_in, c->dst, c->blocked_dst));
        s = c->blocked_src; d = c->blocked_dst;
    }
    dnnl_exec_arg_t args[4] = {{DNNL_ARG_SRC, s}, {DNNL_ARG_WEIGHTS, w}, {DNNL_ARG_DST, d}};
    int count = 3;
    if (c->bias) {
        TRY(dnnl_memory_set_data_handle(c->bias_mem, handle(bias)));
        args[count++] = (dnnl_exec_arg_t){DNNL_ARG_BIAS, c->bias_mem};
    }
    TRY(run(c->fwd, count, args));
    if (c->winograd) TRY(run_reorder(c->dst_out, c->blocked_dst, c->dst));
fail:
    (void)where;
    pthread_mutex_unlock(&c->lock);
    return (int)status;
}

/// Whether oneDNN's 1x1 backward-weights kernels (`jit_1x1:*`) would write past their workspace for this
/// geometry: a strided 1x1 convolution on NHWC data whose input channels are not a multiple of the
/// kernel's channel block (8 for AVX2, 16 for AVX-512). oneDNN 2.6 sizes the buffer into which it gathers
/// the strided pixels by the channel count but steps through it by the block, so it writes past the
/// buffer's end (heap corruption; with several threads, wrong gradients). Such layers are rare (networks
/// narrower than 16 channels), so they take the next implementation oneDNN offers.
static int avoid_1x1_weights_kernel(smear_conv_geometry g) {
    return g.kh == 1 && g.kw == 1 && g.stride > 1 && g.c % 16 != 0;
}

/// The backward-weights primitive descriptor: oneDNN's first choice, or its first one that is not a
/// `jit_1x1` kernel when avoid_1x1_weights_kernel says so.
static dnnl_status_t make_backward_weights_pd(smear_dnnl_conv *c, const dnnl_convolution_desc_t *desc) {
    if (!avoid_1x1_weights_kernel(c->g))
        return dnnl_primitive_desc_create(&c->bwd_weights_pd, desc, NULL, smear_engine, c->fwd_pd);
    dnnl_primitive_desc_iterator_t it;
    dnnl_status_t status = dnnl_primitive_desc_iterator_create(&it, desc, NULL, smear_engine, c->fwd_pd);
    if (status != dnnl_success) return status;
    for (;;) {
        dnnl_primitive_desc_t pd = dnnl_primitive_desc_iterator_fetch(it);
        if (!pd) { status = dnnl_runtime_error; break; }
        if (strncmp(impl_name(pd), "jit_1x1", 7) != 0) { c->bwd_weights_pd = pd; break; }
        dnnl_primitive_desc_destroy(pd);
        status = dnnl_primitive_desc_iterator_next(it);
        if (status != dnnl_success) { status = dnnl_unimplemented; break; }
    }
    dnnl_primitive_desc_iterator_destroy(it);
    return status;
}

/// Makes the backward primitives on first use (lock held).
static dnnl_status_t make_backward(smear_dnnl_conv *c) {
    if (c->bwd_data) return dnnl_success;
    if (!c->training) return dnnl_invalid_arguments;
    dnnl_status_t status;
    const char *where;
    dnnl_memory_desc_t any_weights;
    dnnl_dims_t w_dims = {c->g.o, c->g.c, c->g.kh, c->g.kw};
    dnnl_convolution_desc_t desc;
    TRY(dnnl_memory_desc_init_by_tag(&any_weights, 4, w_dims, dnnl_f32, dnnl_format_tag_any));
    TRY(dnnl_convolution_backward_data_desc_init(&desc, c->alg, &c->prim_src_md, &any_weights, &c->prim_dst_md,
                                                 c->strides, c->pad_l, c->pad_r));
    TRY(dnnl_primitive_desc_create(&c->bwd_data_pd, &desc, NULL, smear_engine, c->fwd_pd));
    TRY(dnnl_primitive_create(&c->bwd_data, c->bwd_data_pd));
    const dnnl_memory_desc_t *bw = dnnl_primitive_desc_query_md(c->bwd_data_pd, dnnl_query_weights_md, 0);
    TRY(make_reorder(&c->user_weights_md, bw, &c->bwd_data_reorder));
    TRY(dnnl_memory_create(&c->bwd_data_weights, bw, smear_engine, DNNL_MEMORY_ALLOCATE));
    TRY(dnnl_convolution_backward_weights_desc_init(&desc, c->alg, &c->prim_src_md, &any_weights,
                                                    c->bias ? &c->bias_md : NULL, &c->prim_dst_md, c->strides,
                                                    c->pad_l, c->pad_r));
    TRY(make_backward_weights_pd(c, &desc));
    TRY(dnnl_primitive_create(&c->bwd_weights, c->bwd_weights_pd));
    const dnnl_memory_desc_t *dw = dnnl_primitive_desc_query_md(c->bwd_weights_pd, dnnl_query_diff_weights_md, 0);
    TRY(make_reorder(dw, &c->user_weights_md, &c->bwd_weights_reorder));
    TRY(dnnl_memory_create(&c->diff_weights, dw, smear_engine, DNNL_MEMORY_ALLOCATE));
fail:
    (void)where;
    return status;
}

int smear_dnnl_conv_backward(smear_dnnl_conv *c, const float *src, const float *diff_dst, const float *weights,
                             float *diff_src, float *diff_weights, float *diff_bias) {
    dnnl_status_t status;
    const char *where;
    pthread_mutex_lock(&c->lock);
    TRY(make_backward(c));
    TRY(dnnl_memory_set_data_handle(c->diff_dst, handle(diff_dst)));
    dnnl_memory_t dd = c->diff_dst;
    if (c->winograd) { TRY(run_reorder(c->dst_in, c->diff_dst, c->blocked_dst)); dd = c->blocked_dst; }
    if (diff_src) {
        dnnl_memory_t w;
        TRY(weights_for(c, c->bwd_data_reorder, c->bwd_data_weights, weights, &w));
        TRY(dnnl_memory_set_data_handle(c->diff_src, diff_src));
        dnnl_memory_t ds = c->winograd ? c->blocked_src : c->diff_src;
        dnnl_exec_arg_t args[] = {{DNNL_ARG_DIFF_DST, dd}, {DNNL_ARG_WEIGHTS, w}, {DNNL_ARG_DIFF_SRC, ds}};
        TRY(run(c->bwd_data, 3, args));
        if (c->winograd) TRY(run_reorder(c->src_out, c->blocked_src, c->diff_src));
    }
    if (diff_weights) {
        TRY(dnnl_memory_set_data_handle(c->src, handle(src)));
        TRY(dnnl_memory_set_data_handle(c->user_diff_weights, diff_weights));
        dnnl_memory_t s = c->src;
        if (c->winograd) { TRY(run_reorder(c->src_in, c->src, c->blocked_src)); s = c->blocked_src; }
        dnnl_memory_t dw = c->bwd_weights_reorder ? c->diff_weights : c->user_diff_weights;
        dnnl_exec_arg_t args[4] = {{DNNL_ARG_SRC, s}, {DNNL_ARG_DIFF_DST, dd}, {DNNL_ARG_DIFF_WEIGHTS, dw}};
        int count = 3;
        if (c->bias) {
            TRY(dnnl_memory_set_data_handle(c->bias_mem, diff_bias));
            args[count++] = (dnnl_exec_arg_t){DNNL_ARG_DIFF_BIAS, c->bias_mem};
        }
        TRY(run(c->bwd_weights, count, args));
        if (c->bwd_weights_reorder) TRY(run_reorder(c->bwd_weights_reorder, c->diff_weights, c->user_diff_weights));
    }
fail:
    (void)where;
    pthread_mutex_unlock(&c->lock);
    return (int)status;
}
