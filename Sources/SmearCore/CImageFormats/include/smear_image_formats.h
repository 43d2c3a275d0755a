// PNG (libpng's simplified API) and TIFF (libtiff's RGBA interface) decoding for smear, with errors returned
// as codes and text instead of printed or fatal. Both decode to packed 8-bit RGB, rows top to bottom.
#ifndef SMEAR_IMAGE_FORMATS_H
#define SMEAR_IMAGE_FORMATS_H
#include <stddef.h>
#include <stdint.h>

enum { SMEAR_IMAGE_OK = 0, SMEAR_IMAGE_ERROR = 1, SMEAR_IMAGE_NOMEM = 3 };

/// PNG from memory, any colour type and bit depth (alpha composited onto white, 16-bit reduced to 8).
/// On success `*pixels` is malloc'd and owned by the caller.
int smear_png_decode(const uint8_t *data, size_t size, uint8_t **pixels, int *width, int *height,
                     char *message, size_t message_size);

/// TIFF from a file (first directory), any layout libtiff's RGBA reader supports (alpha onto white).
int smear_tiff_decode(const char *path, uint8_t **pixels, int *width, int *height, char *message, size_t message_size);

#endif
