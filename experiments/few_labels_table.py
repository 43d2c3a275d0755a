#!/usr/bin/env python3
"""The pretrained few-labels grid's table (experiments/few_labels_grid writes the records): macro F1 over the classes
present, on the target cells not labelled, mean ± sd over the seeds run, per arm and lab, without and with AdaBN (and,
for the records that hold them, with the 8 orientations averaged and for the moving average of the weights), and
each arm's minimum over the labs (the number the grid's rule compares). Then, for the records that hold them, each
lab's per-class F1 (mean over the seeds that have it) with the class's number of scored cells: a class with one or
two scored cells is all or nothing and weighs as much as any other in the macro F1.

The label-free grid's records have the same layout: `experiments/few_labels_table.py results/label-free`.
With --without CLASS every macro F1 leaves CLASS out (the mean per-class F1 over the other classes scored;
result_records.macro_f1), for the scores whose per-class F1 the records hold.

usage: experiments/few_labels_table.py [RESULTS] [--without CLASS]   (default results/few-labels)"""
import os
import statistics
import sys

from result_records import macro_f1, seed_records, take_option

args = sys.argv[1:]
left_out = take_option(args, "--without")
root = args[0] if args else "results/few-labels"
labs = ["tecom_jiangxi", "bccd", "cellavision_blog"]
arms = ["mdd-0", "mdd-clue20", "source_only-random20", "mdd-random20"]
arms += sorted({a for lab in labs if os.path.isdir(os.path.join(root, lab)) for a in os.listdir(os.path.join(root, lab))} - set(arms))


def records(lab, arm):
    return (record for _, record in seed_records(os.path.join(root, lab, arm)))


def scores(lab, arm, key):
    return [v for v in (macro_f1(r, key, left_out) for r in records(lab, arm)) if v is not None]


def cell(values):
    if not values:
        return "–", None
    mean = statistics.mean(values)
    spread = f" ± {statistics.stdev(values):.3f}" if len(values) > 1 else ""
    return f"{mean:.3f}{spread} (n={len(values)})", mean


print("| arm | " + " | ".join(labs) + " | minimum over labs |")
print("|---|" + "---|" * (len(labs) + 1))
for key, label in [("macro_f1_present", ""), ("macro_f1_present_adabn", " + AdaBN"),
                   ("macro_f1_present_tta", " + 8 orientations"), ("macro_f1_present_adabn_tta", " + AdaBN + 8 orientations"),
                   ("macro_f1_present_average", ", weight average")]:
    for arm in arms:
        cells = [cell(scores(lab, arm, key)) for lab in labs]
        if all(m is None for _, m in cells):
            continue
        means = [m for _, m in cells]
        low = f"{min(means):.3f}" if all(m is not None for m in means) else "–"
        print(f"| {arm}{label} | " + " | ".join(c for c, _ in cells) + f" | {low} |")

for lab in labs:
    rows = []
    for arm in arms:
        rs = [r for r in records(lab, arm) if "per_class_f1" in r and "support" in r]
        if rs:
            classes = rs[0]["classes"]
            f1 = [statistics.mean(r["per_class_f1"][i] for r in rs) for i in range(len(classes))]
            rows.append((arm, len(rs), classes, f1, rs[0]["support"]))
    if not rows:
        continue
    classes = rows[0][2]
    print(f"\n{lab}: per-class F1 on the cells not labelled, mean over the seeds that record it (scored cells of the first in brackets)")
    print("| arm | seeds | " + " | ".join(classes) + " |")
    print("|---|---|" + "---|" * len(classes))
    for arm, n, _, f1, support in rows:
        print(f"| {arm} | {n} | " + " | ".join(f"{f1[i]:.2f} ({support[i]})" if support[i] else "–" for i in range(len(classes))) + " |")
