#include "smear_image_formats.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <tiffio.h>

// libtiff reports through global handlers; they write into a per-thread buffer that the call returns.
static _Thread_local char last_error[512];

static void on_error(const char *module, const char *fmt, va_list ap) {
    (void)module;
    vsnprintf(last_error, sizeof last_error, fmt, ap);
}

static void on_warning(const char *module, const char *fmt, va_list ap) { (void)module; (void)fmt; (void)ap; }

int smear_tiff_decode(const char *path, uint8_t **pixels, int *width, int *height, char *message, size_t message_size) {
    *pixels = NULL;
    last_error[0] = 0;
    TIFFSetErrorHandler(on_error);
    TIFFSetWarningHandler(on_warning);
    TIFF *tif = TIFFOpen(path, "r");
    if (!tif) {
        snprintf(message, message_size, "%s", last_error[0] ? last_error : "not a readable TIFF file");
        return SMEAR_IMAGE_ERROR;
    }
    uint32_t w = 0, h = 0;
    TIFFGetField(tif, TIFFTAG_IMAGEWIDTH, &w);
    TIFFGetField(tif, TIFFTAG_IMAGELENGTH, &h);
    if (w == 0 || h == 0 || (uint64_t)w * h > (1u << 28)) {
        TIFFClose(tif);
        snprintf(message, message_size, "TIFF of %ux%u pixels cannot be read", w, h);
        return SMEAR_IMAGE_ERROR;
    }
    uint32_t *rgba = _TIFFmalloc((tmsize_t)w * h * sizeof(uint32_t));
    if (!rgba) { TIFFClose(tif); return SMEAR_IMAGE_NOMEM; }
    if (!TIFFReadRGBAImageOriented(tif, w, h, rgba, ORIENTATION_TOPLEFT, 0)) {
        snprintf(message, message_size, "%s", last_error[0] ? last_error : "libtiff could not decode the image");
        _TIFFfree(rgba);
        TIFFClose(tif);
        return SMEAR_IMAGE_ERROR;
    }
    uint8_t *out = malloc((size_t)w * h * 3);
    if (!out) { _TIFFfree(rgba); TIFFClose(tif); return SMEAR_IMAGE_NOMEM; }
    for (size_t i = 0; i < (size_t)w * h; i++) {
        uint32_t p = rgba[i];
        unsigned a = TIFFGetA(p);
        unsigned c[3] = {TIFFGetR(p), TIFFGetG(p), TIFFGetB(p)};
        for (int k = 0; k < 3; k++) {   // RGBA from libtiff is premultiplied: composite onto white
            unsigned v = c[k] + (255 - a);
            out[3 * i + k] = (uint8_t)(v > 255 ? 255 : v);
        }
    }
    _TIFFfree(rgba);
    TIFFClose(tif);
    *pixels = out;
    *width = (int)w;
    *height = (int)h;
    return SMEAR_IMAGE_OK;
}
