#!/usr/bin/env python3
"""The table of an evaluation sweep's records (results/RECORDS/LAB/ARM/seedS.json, written by experiments/evaluation_sweep):
for each group of runs (label-free, labelled, label-free self-training), each lab's mean macro F1 over its runs under
two keys of the records, and the mean over the labs; then every arm's means.

    python3 experiments/evaluation_table.py RECORDS BEFORE_KEY AFTER_KEY
    python3 experiments/evaluation_table.py results/test-scales macro_f1_present_tta macro_f1_present_scales_tta
"""
import glob
import json
import os
import sys
from collections import defaultdict

LABS = ["tecom_jiangxi", "bccd", "cellavision_blog"]
GROUPS = ["label-free", "labelled", "label-free self-training"]


def group_of(record, arm):
    """The record's group; records written before evaluation_sweep named it are grouped by their arm's name."""
    if "group" in record:
        return record["group"]
    if arm.endswith("+cbst-64px-15x100steps"):
        return "label-free self-training"
    if arm in ("mdd-64px-15x100steps", "mdd-hed_strong-64px-15x100steps"):
        return "label-free"
    return "labelled"


def mean(values):
    return sum(values) / len(values)


def table(root, before, after, names=None):
    """The markdown table; `names` (two strings) label the rows of the two keys instead of the keys themselves."""
    runs = defaultdict(list)   # (group, lab) -> [(before, after)]
    arms = defaultdict(list)   # (arm, lab) -> same
    for path in sorted(glob.glob(os.path.join(root, "*", "*", "seed*.json"))):
        lab, arm = path.split(os.sep)[-3], path.split(os.sep)[-2]
        r = json.load(open(path))
        pair = (r[before], r[after])
        runs[(group_of(r, arm), lab)].append(pair)
        arms[(arm, lab)].append(pair)
    names = names or (before, after)
    lines = [f"| runs (8 orientations averaged) | " + " | ".join(LABS) + " | mean over the labs |", "|---|" + "---|" * (len(LABS) + 1)]
    for g in GROUPS:
        if not all((g, lab) in runs for lab in LABS):
            continue
        for name, i in [(names[0], 0), (names[1], 1)]:
            cells = [mean([p[i] for p in runs[(g, lab)]]) for lab in LABS]
            counts = "/".join(str(len(runs[(g, lab)])) for lab in LABS)
            lines.append(f"| {g} ({counts} runs), {name} | " + " | ".join(f"{c:.3f}" for c in cells) + f" | {mean(cells):.3f} |")
    lines += ["", "| arm | " + " | ".join(LABS) + " |", "|---|" + "---|" * len(LABS)]
    for arm in sorted({a for a, _ in arms}):
        cells = []
        for lab in LABS:
            pairs = arms.get((arm, lab))
            cells.append("–" if not pairs else f"{mean([p[0] for p in pairs]):.3f} → {mean([p[1] for p in pairs]):.3f} ({len(pairs)})")
        lines.append(f"| {arm} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    print(table(*sys.argv[1:]))
