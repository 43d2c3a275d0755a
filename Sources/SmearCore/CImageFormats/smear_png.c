// PNG with libpng's classic API (the simplified API treats 16-bit data as linear light and composites alpha
// in linear space, which differs from every viewer and from Pillow). Errors longjmp back here, in C.
#include "smear_image_formats.h"
#include <png.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct { const uint8_t *data; size_t size, offset; char *message; size_t message_size; } reader_t;

static void read_bytes(png_structp png, png_bytep out, png_size_t n) {
    reader_t *r = png_get_io_ptr(png);
    if (r->offset + n > r->size) png_error(png, "PNG data ends early (truncated file)");
    memcpy(out, r->data + r->offset, n);
    r->offset += n;
}

static void on_error(png_structp png, png_const_charp text) {
    reader_t *r = png_get_error_ptr(png);
    snprintf(r->message, r->message_size, "%s", text);
    png_longjmp(png, 1);
}

static void on_warning(png_structp png, png_const_charp text) { (void)png; (void)text; }

int smear_png_decode(const uint8_t *data, size_t size, uint8_t **pixels, int *width, int *height,
                     char *message, size_t message_size) {
    *pixels = NULL;
    reader_t reader = {data, size, 0, message, message_size};
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &reader, on_error, on_warning);
    if (!png) return SMEAR_IMAGE_NOMEM;
    png_infop info = png_create_info_struct(png);
    if (!info) { png_destroy_read_struct(&png, NULL, NULL); return SMEAR_IMAGE_NOMEM; }
    uint8_t *volatile rgba = NULL;
    png_bytep *volatile rows = NULL;
    if (setjmp(png_jmpbuf(png))) {
        free(rgba); free(rows);
        png_destroy_read_struct(&png, &info, NULL);
        return SMEAR_IMAGE_ERROR;
    }
    png_set_read_fn(png, &reader, read_bytes);
    png_read_info(png, info);
    png_uint_32 w = png_get_image_width(png, info), h = png_get_image_height(png, info);
    if ((uint64_t)w * h > (1u << 28)) png_error(png, "image too large");
    // Everything to 8-bit RGBA: 16-bit scaled (round(v / 257)), palettes and grey expanded, tRNS as alpha.
    png_set_scale_16(png);
    png_set_palette_to_rgb(png);
    png_set_expand_gray_1_2_4_to_8(png);
    png_set_tRNS_to_alpha(png);
    png_set_gray_to_rgb(png);
    png_set_add_alpha(png, 0xFF, PNG_FILLER_AFTER);
    png_set_interlace_handling(png);
    png_read_update_info(png, info);
    rgba = malloc((size_t)w * h * 4);
    rows = malloc(sizeof(png_bytep) * h);
    if (!rgba || !rows) png_error(png, "out of memory");
    for (png_uint_32 y = 0; y < h; y++) rows[y] = rgba + (size_t)y * w * 4;
    png_read_image(png, rows);
    png_read_end(png, NULL);
    uint8_t *out = malloc((size_t)w * h * 3);
    if (!out) png_error(png, "out of memory");
    for (size_t i = 0; i < (size_t)w * h; i++) {   // onto white, in 8-bit sRGB values (as Pillow and viewers)
        unsigned a = rgba[4 * i + 3];
        for (int k = 0; k < 3; k++) out[3 * i + k] = (uint8_t)((rgba[4 * i + k] * a + 255 * (255 - a) + 127) / 255);
    }
    free(rgba); free(rows);
    png_destroy_read_struct(&png, &info, NULL);
    *pixels = out;
    *width = (int)w;
    *height = (int)h;
    return SMEAR_IMAGE_OK;
}
