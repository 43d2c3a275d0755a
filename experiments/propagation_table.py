#!/usr/bin/env python3
"""The table of experiments/propagation_sweep's records (results/label-propagation/LAB/ARM/seedS.json): for each group
of runs (label-free, labelled, label-free self-training), each lab's mean macro F1 over its runs with the 8
orientations averaged, without and with label spreading, and the mean over the labs; then every arm's means.

    python3 experiments/propagation_table.py [results/label-propagation]
"""
import glob
import json
import os
import sys
from collections import defaultdict

LABS = ["tecom_jiangxi", "bccd", "cellavision_blog"]


def group(arm):
    if arm.endswith("+cbst-64px-15x100steps"):
        return "label-free self-training"
    if arm in ("mdd-64px-15x100steps", "mdd-hed_strong-64px-15x100steps"):
        return "label-free"
    return "labelled"


def mean(values):
    return sum(values) / len(values)


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "results", "label-propagation")
    runs = defaultdict(list)   # (group, lab) -> [(plain, propagated)]
    arms = defaultdict(list)   # (arm, lab) -> same
    for path in sorted(glob.glob(os.path.join(root, "*", "*", "seed*.json"))):
        lab, arm = path.split(os.sep)[-3], path.split(os.sep)[-2]
        r = json.load(open(path))
        pair = (r["macro_f1_present_tta"], r["macro_f1_present_propagated_tta"])
        runs[(group(arm), lab)].append(pair)
        arms[(arm, lab)].append(pair)
    print("| runs (8 orientations averaged) | " + " | ".join(LABS) + " | mean over the labs |")
    print("|---|" + "---|" * (len(LABS) + 1))
    for g in ["label-free", "labelled", "label-free self-training"]:
        if not all((g, lab) in runs for lab in LABS):
            continue
        for name, i in [("classifier", 0), ("propagated", 1)]:
            cells = [mean([p[i] for p in runs[(g, lab)]]) for lab in LABS]
            counts = "/".join(str(len(runs[(g, lab)])) for lab in LABS)
            print(f"| {g} ({counts} runs), {name} | " + " | ".join(f"{c:.3f}" for c in cells) + f" | {mean(cells):.3f} |")
    print()
    print("| arm | " + " | ".join(LABS) + " |")
    print("|---|" + "---|" * len(LABS))
    for arm in sorted({a for a, _ in arms}):
        cells = []
        for lab in LABS:
            pairs = arms.get((arm, lab))
            cells.append("–" if not pairs else f"{mean([p[0] for p in pairs]):.3f} → {mean([p[1] for p in pairs]):.3f} ({len(pairs)})")
        print(f"| {arm} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
