#!/usr/bin/env python3
"""Builds data/sample: the small real-image sample bundled with smear (PBC and BCCD only, for their
licences), taken from ../shared/data/wbc with a fixed seed. Re-running gives the same files.

usage: scripts/make_sample.py [--source ../shared/data/wbc]
"""
import argparse
import csv
import os
import random
import shutil

CLASSES = ["basophil", "eosinophil", "lymphocyte", "monocyte", "neutrophil"]
PER_CLASS = {"pbc_barcelona": 30, "bccd": 20}
ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")

p = argparse.ArgumentParser()
p.add_argument("--source", default=os.path.join(ROOT, "..", "shared", "data", "wbc"))
a = p.parse_args()
out_root = os.path.join(ROOT, "data", "sample")
rows = []
for domain, n in PER_CLASS.items():
    manifest = {r["file"]: r for r in csv.DictReader(open(os.path.join(a.source, domain, "manifest.csv")))}
    for cls in CLASSES:
        files = sorted(os.listdir(os.path.join(a.source, domain, cls)))
        chosen = sorted(random.Random(f"{domain}/{cls}").sample(files, min(n, len(files))))
        os.makedirs(os.path.join(out_root, domain, cls), exist_ok=True)
        for f in chosen:
            shutil.copyfile(os.path.join(a.source, domain, cls, f), os.path.join(out_root, domain, cls, f))
            m = manifest[f"{domain}/{cls}/{f}"]
            rows.append([f"{domain}/{cls}/{f}", cls, m["source_repo"], m["source_commit"], m["source_path"]])
with open(os.path.join(out_root, "manifest.csv"), "w", newline="") as fh:
    w = csv.writer(fh)
    w.writerow(["file", "label", "source_repo", "source_commit", "source_path"])
    w.writerows(rows)
print(f"data/sample: {len(rows)} images")
