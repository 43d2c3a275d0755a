#!/usr/bin/env python3
"""How sharp each lab's cells reach the network, and PBC copies blurred to a target's sharpness (a diagnostic; the
rule and outcome are in docs/notebook/2026-12-07.md, forty-fourth session).

Sharpness of an image: its centre crop (the lab's measured crop, as the run records it) resized to 64 px, in grey, the
standard deviation of its discrete Laplacian over the standard deviation of the grey levels (scale-free: a blur lowers
it, a contrast change does not).

  experiments/sharpness.py measure DATA_DIR LAB:CROP ...        mean sharpness of up to 300 images of each lab
  experiments/sharpness.py blurred DATA_DIR CROP OUT SIGMA ...  100 PBC images of each of the five shared classes,
                                                                 blurred by a Gaussian of SIGMA pixels at 64 px,
                                                                 written to OUT/s<SIGMA>/<class>/"""
import glob
import os
import random
import sys

import numpy as np
from PIL import Image, ImageFilter

SIZE = 64
SHARED = ["basophil", "eosinophil", "lymphocyte", "monocyte", "neutrophil"]


def centre(image, crop):
    w, h = image.size
    c = min(crop, w, h)
    left, top = (w - c) // 2, (h - c) // 2
    return image.crop((left, top, left + c, top + c))


def sharpness(path, crop):
    grey = np.asarray(centre(Image.open(path).convert("RGB"), crop).resize((SIZE, SIZE), Image.BILINEAR),
                      dtype=np.float64).mean(axis=2)
    laplacian = 4 * grey[1:-1, 1:-1] - grey[:-2, 1:-1] - grey[2:, 1:-1] - grey[1:-1, :-2] - grey[1:-1, 2:]
    return laplacian.std() / grey.std()


def measure(data, labs):
    for spec in labs:
        lab, crop = spec.split(":")
        files = sorted(glob.glob(os.path.join(data, lab, "*", "*.jpg")))
        random.Random(0).shuffle(files)
        values = [sharpness(f, int(crop)) for f in files[:300]]
        print(f"{lab} crop {crop}: sharpness {np.mean(values):.3f} ± {np.std(values):.3f} ({len(values)} images)")


def blurred(data, crop, out, sigmas):
    for name in SHARED:
        files = sorted(glob.glob(os.path.join(data, "pbc_barcelona", name, "*.jpg")))
        random.Random(1).shuffle(files)
        for f in files[:100]:
            image = Image.open(f).convert("RGB")
            for sigma in sigmas:
                folder = os.path.join(out, f"s{sigma}", name)
                os.makedirs(folder, exist_ok=True)
                # SIGMA is in pixels of the 64 px input; the image is blurred before its crop is resized
                copy = image.filter(ImageFilter.GaussianBlur(sigma * crop / SIZE)) if sigma > 0 else image
                copy.save(os.path.join(folder, os.path.basename(f)), quality=95)


if __name__ == "__main__":
    if len(sys.argv) >= 4 and sys.argv[1] == "measure":
        measure(sys.argv[2], sys.argv[3:])
    elif len(sys.argv) >= 6 and sys.argv[1] == "blurred":
        blurred(sys.argv[2], int(sys.argv[3]), sys.argv[4], [float(s) for s in sys.argv[5:]])
    else:
        sys.exit(__doc__)
