#include "smear_jpeg.h"

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jpeglib.h>

typedef struct {
    struct jpeg_error_mgr base;
    jmp_buf jump;
    int warnings;
    char *message;
    size_t message_size;
} error_manager;

static void on_error(j_common_ptr cinfo) {
    error_manager *err = (error_manager *)cinfo->err;
    if (err->message && err->message_size) (*cinfo->err->format_message)(cinfo, err->message);
    longjmp(err->jump, 1);
}

static void on_message(j_common_ptr cinfo, int level) {
    error_manager *err = (error_manager *)cinfo->err;
    if (level < 0) {   // a warning: keep the first one's text
        if (err->warnings == 0 && err->message && err->message_size) (*cinfo->err->format_message)(cinfo, err->message);
        err->warnings++;
    }
}

static void setup(struct jpeg_decompress_struct *cinfo, error_manager *err, char *message, size_t message_size) {
    cinfo->err = jpeg_std_error(&err->base);
    err->base.error_exit = on_error;
    err->base.emit_message = on_message;
    err->warnings = 0;
    err->message = message;
    err->message_size = message_size;
    if (message && message_size) message[0] = 0;
}

int smear_jpeg_size(const uint8_t *data, size_t size, int *width, int *height, char *message, size_t message_size) {
    struct jpeg_decompress_struct cinfo;
    error_manager err;
    setup(&cinfo, &err, message, message_size);
    if (setjmp(err.jump)) { jpeg_destroy_decompress(&cinfo); return SMEAR_JPEG_ERROR; }
    jpeg_create_decompress(&cinfo);
    jpeg_mem_src(&cinfo, (const unsigned char *)data, (unsigned long)size);
    jpeg_read_header(&cinfo, TRUE);
    *width = (int)cinfo.image_width;
    *height = (int)cinfo.image_height;
    jpeg_destroy_decompress(&cinfo);
    return SMEAR_JPEG_OK;
}

int smear_jpeg_decode(const uint8_t *data, size_t size, int scale_denom, uint8_t **pixels, int *width,
                      int *height, char *message, size_t message_size) {
    struct jpeg_decompress_struct cinfo;
    error_manager err;
    uint8_t *volatile out = NULL;
    *pixels = NULL;
    setup(&cinfo, &err, message, message_size);
    if (setjmp(err.jump)) {
        jpeg_destroy_decompress(&cinfo);
        free(out);
        return SMEAR_JPEG_ERROR;
    }
    jpeg_create_decompress(&cinfo);
    jpeg_mem_src(&cinfo, (const unsigned char *)data, (unsigned long)size);
    jpeg_read_header(&cinfo, TRUE);
    cinfo.out_color_space = JCS_RGB;
    cinfo.scale_num = 1;
    cinfo.scale_denom = (unsigned int)scale_denom;
    jpeg_calc_output_dimensions(&cinfo);
    // A header may claim up to 65,535 x 65,535 pixels in a few hundred bytes (found by the decoders
    // fuzzer): refuse more than 2^28 output pixels (768 MB of RGB), as the PNG and TIFF layers do.
    if ((uint64_t)cinfo.output_width * cinfo.output_height > (1u << 28)) {
        snprintf(message, message_size, "image too large (%u x %u pixels; at most 2^28 are decoded)",
                 cinfo.output_width, cinfo.output_height);
        jpeg_destroy_decompress(&cinfo);
        return SMEAR_JPEG_ERROR;
    }
    jpeg_start_decompress(&cinfo);
    size_t stride = (size_t)cinfo.output_width * 3;
    out = (uint8_t *)malloc(stride * cinfo.output_height);
    if (!out) { jpeg_destroy_decompress(&cinfo); return SMEAR_JPEG_NOMEM; }
    while (cinfo.output_scanline < cinfo.output_height) {
        JSAMPROW row = out + stride * cinfo.output_scanline;
        jpeg_read_scanlines(&cinfo, &row, 1);
    }
    jpeg_finish_decompress(&cinfo);
    *width = (int)cinfo.output_width;
    *height = (int)cinfo.output_height;
    jpeg_destroy_decompress(&cinfo);
    *pixels = out;
    return err.warnings ? SMEAR_JPEG_WARNING : SMEAR_JPEG_OK;
}
