#!/usr/bin/env python3
"""How much of each lab's macro F1 is one rare class (a diagnostic; docs/notebook/2026-12-07.md, forty-fourth session).

For each arm and lab: the seeds' mean macro F1 over the classes scored (8 orientations averaged where the records hold
it), the same without CLASS, how many seeds scored any cell of CLASS (a labelled cell leaves the scored cells) and
CLASS's mean F1 on those, and the mean F1 the other classes would need for the macro F1 to reach BAR on a seed that
scores CLASS with that F1 (macro = (f_class + (k − 1)·m) / k over k scored classes).

usage: experiments/rare_class_table.py RESULTS ARM [ARM ...] [--class basophil] [--bar 0.75] [--key macro_f1_present_tta]
  e.g. experiments/rare_class_table.py results/label-free mdd-hed_strong+cbst-64px-15x100steps --bar 0.70"""
import os
import statistics
import sys

from result_records import PER_CLASS, macro_f1, seed_records, take_option

args = sys.argv[1:]
rare = take_option(args, "--class") or "basophil"
bar = float(take_option(args, "--bar") or 0.75)
wanted = take_option(args, "--key") or "macro_f1_present_tta"
if len(args) < 2:
    sys.exit(__doc__)
root, arms = args[0], args[1:]
labs = ["tecom_jiangxi", "bccd", "cellavision_blog"]


def records(lab, arm):
    for seed, record in seed_records(os.path.join(root, lab, arm)):
        # a record without support scored every cell of its lab, and its classes are the lab's
        record.setdefault("support", [1] * len(record["classes"]))
        yield seed, record


def fmt(values):
    return f"{statistics.mean(values):.3f}" if values else "–"


print(f"| arm | lab | seeds | macro F1 | without {rare} | seeds scoring {rare} | its F1 there | others' mean needed for {bar} |")
print("|---|---|---|---|---|---|---|---|")
for arm in arms:
    for lab in labs:
        rows = list(records(lab, arm))
        if not rows:
            continue
        key = wanted if all(wanted in r for _, r in rows) else "macro_f1_present"
        per_class = PER_CLASS[key]
        scores = [r[key] for _, r in rows]
        without = [v for v in (macro_f1(r, key, rare) for _, r in rows) if v is not None]
        scoring = [r for _, r in rows if rare in r["classes"] and r["support"][r["classes"].index(rare)] > 0]
        rare_f1 = [r[per_class][r["classes"].index(rare)] for r in scoring]
        needed = [(bar * k - f) / (k - 1) for r, f in zip(scoring, rare_f1)
                  for k in [sum(1 for n in r["support"] if n > 0)]]
        print(f"| {arm} | {lab} | {len(rows)} | {fmt(scores)} | {fmt(without)} | {len(scoring)} | {fmt(rare_f1)} | "
              f"{fmt(needed)} |")
