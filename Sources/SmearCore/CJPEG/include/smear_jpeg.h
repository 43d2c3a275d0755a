// A small C layer over libjpeg(-turbo) for smear: libjpeg reports errors by calling exit() or longjmp,
// which Swift cannot handle, so this file catches them with setjmp and returns an error code and text.
#ifndef SMEAR_JPEG_H
#define SMEAR_JPEG_H
#include <stddef.h>
#include <stdint.h>

/// Result codes of smear_jpeg_decode.
enum {
    SMEAR_JPEG_OK = 0,
    SMEAR_JPEG_ERROR = 1,     // libjpeg raised an error (not a JPEG, corrupt data); message in `message`
    SMEAR_JPEG_WARNING = 2,   // decoded, but libjpeg warned (e.g. truncated data); message in `message`
    SMEAR_JPEG_NOMEM = 3
};

/// Reads width and height from the header only.
int smear_jpeg_size(const uint8_t *data, size_t size, int *width, int *height, char *message, size_t message_size);

/// Decodes to packed RGB (3 bytes per pixel, rows top to bottom), scaled by 1/scale_denom in the DCT
/// domain (scale_denom 1, 2, 4 or 8). On SMEAR_JPEG_OK or SMEAR_JPEG_WARNING `*pixels` is malloc'd and
/// owned by the caller (free it with free()); on an error it is NULL.
int smear_jpeg_decode(const uint8_t *data, size_t size, int scale_denom, uint8_t **pixels, int *width,
                      int *height, char *message, size_t message_size);

#endif
