#!/usr/bin/env python3
"""The record of a self-training cell run through scripts/adapt.smear (label_free_self_training_grid,
labelled_self_training_grid): OUT/result.json, the command's report of the self-trained run, gains the per-class F1
under the grids' _tta names, how many pseudo-labels each class took and how many were right (each image's class is its
folder's name; evaluation only), and the score of the run the pseudo-labels came from; no machine's path is kept.
The portion is the report's own when it names one (a later round's), else scripts/adapt's 0.2.

    experiments/self_training_record.py OUT PSEUDO_CSV BASELINE_RECORD BASELINE_FIELD DATA [LABELS_NAME]
"""
import csv
import json
import os
import sys


def main(out, pseudo_csv, baseline_record, baseline_field, data, labels=None):
    r = json.load(open(f"{out}/result.json"))
    truth = lambda path: os.path.basename(os.path.dirname(path))
    classes, f1 = r["classes"], r["per_class_f1"]   # scripts/adapt.smear's report of the self-trained run
    pseudo = list(csv.DictReader(open(pseudo_csv)))
    right = {c: sum(truth(p["image"]) == c for p in pseudo if p["label"] == c) for c in classes}
    given = {c: sum(p["label"] == c for p in pseudo) for c in classes}
    r.update(per_class_f1_tta=f1, macro_f1_present_tta=r["macro_f1_present"], self_training="cbst", portion=r.get("portion", 0.2),
             pseudo_labels=len(pseudo), pseudo_labels_right=sum(right.values()),
             pseudo_labels_by_class={c: [given[c], right[c]] for c in classes})
    r[baseline_field] = json.load(open(baseline_record))["macro_f1_present_tta"]
    if labels:
        r["labels"] = labels
    json.dump(json.loads(json.dumps(r).replace(data + "/", "")), open(f"{out}/result.json", "w"))   # no machine's path
    print(f"scored {r['macro_f1_present']:.3f} (the run it relabels from {r[baseline_field]:.3f}); "
          f"{r['pseudo_labels_right']} of {len(pseudo)} pseudo-labels right; per class {dict(zip(classes, [round(x, 3) for x in f1]))}")


if __name__ == "__main__":
    if len(sys.argv) not in (6, 7):
        sys.exit(__doc__)
    main(*sys.argv[1:])
