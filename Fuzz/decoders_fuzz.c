// libFuzzer target for the C image layers: any bytes given to the JPEG and PNG decoders (from memory) and the
// TIFF decoder (from a temporary file) must return an error code or pixels, never crash or leak.
#include "smear_jpeg.h"
#include "smear_image_formats.h"
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char message[300];
    uint8_t *pixels = NULL;
    int w = 0, h = 0;
    // As OSS-Fuzz's libjpeg-turbo target does, headers claiming over 2^20 pixels are only size-checked: a
    // few hundred bytes can claim 2^28 pixels, which libjpeg then fills row by row for seconds (the
    // 2^28-pixel limit itself is asserted by the unit tests on Tests/Fixtures/formats/huge-header.jpg).
    int size_ok = smear_jpeg_size(data, size, &w, &h, message, sizeof message) == SMEAR_JPEG_OK;
    if (size_ok && (uint64_t)w * (uint64_t)h <= (1u << 20)) {
        for (int scale = 1; scale <= 8; scale *= 8) {
            if (smear_jpeg_decode(data, size, scale, &pixels, &w, &h, message, sizeof message) != SMEAR_JPEG_ERROR) free(pixels);
            pixels = NULL;
        }
    }
    if (smear_png_decode(data, size, &pixels, &w, &h, message, sizeof message) == SMEAR_IMAGE_OK) free(pixels);
    pixels = NULL;
    if (size >= 4 && ((data[0] == 'I' && data[1] == 'I') || (data[0] == 'M' && data[1] == 'M'))) {
        char path[64];
        snprintf(path, sizeof path, "/tmp/smear-fuzz-%d.tif", (int)getpid());
        FILE *f = fopen(path, "wb");
        if (f) {
            fwrite(data, 1, size, f);
            fclose(f);
            if (smear_tiff_decode(path, &pixels, &w, &h, message, sizeof message) == SMEAR_IMAGE_OK) free(pixels);
        }
    }
    return 0;
}
