#!/usr/bin/env python3
"""A few labelled images of the target lab in the source: a diagnostic of what the label-free pipeline lacks, not a setting.

For one target lab, K images of each of its classes (drawn with SEED; a class with K or fewer images keeps them all in
the target) join PBC as labelled source images. Both labs' frames are cropped to the same nucleus share and resized as
in multi_source.py (crop_lab), and the K-per-class images are repeated as multi_source.py repeats a small lab
(round(n_PBC / n_labelled) times), so they are about half of every source batch. The target becomes the lab's other
images (symlinks to its raw folder, so scripts/adapt measures and crops them as for any target); the report's F1 is
over those only. scripts/adapt then runs on OUT/source/ and OUT/target/ unchanged.

    python3 scripts/experiment/few_target_labels.py DATA_ROOT SCALES_JSON LAB K SEED OUT
"""
import json, os, random, sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from multi_source import CLASSES, crop_lab  # noqa: E402


def main():
    data, scales_path, lab, k, seed, out = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]), sys.argv[6]
    scales = {s["lab"]: s for s in json.load(open(scales_path))}
    pbc = crop_lab(data, "pbc_barcelona", scales["pbc_barcelona"]["diameter"], os.path.join(out, "crops", "pbc_barcelona"))
    target = crop_lab(data, lab, scales[lab]["diameter"], os.path.join(out, "crops", lab))
    rng = random.Random(seed)
    labelled = {c: (sorted(rng.sample(paths, k)) if len(paths) > k else []) for c, paths in target.items()}
    n_pbc, n_labelled = sum(map(len, pbc.values())), sum(map(len, labelled.values()))
    repeats = max(1, round(n_pbc / n_labelled))

    def link(src, dest):
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        if not os.path.lexists(dest):
            os.symlink(os.path.relpath(src, os.path.dirname(dest)), dest)

    for c in CLASSES:
        for p in pbc[c]:
            link(p, os.path.join(out, "source", c, "pbc__" + os.path.basename(p)))
        for p in labelled[c]:
            for r in range(repeats):
                link(p, os.path.join(out, "source", c, f"{lab}__{os.path.splitext(os.path.basename(p))[0]}__{r}.png"))
        chosen = {os.path.splitext(os.path.basename(p))[0] for p in labelled[c]}
        for n in sorted(os.listdir(os.path.join(data, lab, c))):
            if not n.startswith(".") and os.path.splitext(n)[0] not in chosen:
                link(os.path.abspath(os.path.join(data, lab, c, n)), os.path.join(out, "target", c, n))
    json.dump({c: [os.path.basename(p) for p in ps] for c, ps in labelled.items()}, open(os.path.join(out, "labelled.json"), "w"), indent=1)
    print(f"{lab}: {n_labelled} labelled target images x {repeats} in the source beside {n_pbc} PBC images;",
          f"{sum(len(os.listdir(os.path.join(out, 'target', c))) for c in CLASSES)} left as the target")


if __name__ == "__main__":
    main()
