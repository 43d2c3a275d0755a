#!/usr/bin/env python3
"""Labelled runs averaged (rule in docs/notebook/2026-12-07.md, forty-third session): runs trained on the same labelled
cells each predict the cells not labelled with the 8 orientations averaged (`smear predict --tta`); their
probabilities are averaged with equal weight, and the macro F1 over the classes present is computed from the argmax.
Each run's own score is checked against its committed record first. Writes OUT (JSON: each run's score and the
average's, with per-class F1).

    experiments/ensemble_eval.py TARGET_DIR OUT RUN_CELL...

RUN_CELL is a grid cell folder holding `run/` (the run) and `result.json` (its record); the cells must share their
record's target, which names the lab in OUT (TARGET_DIR, say a folder of links to the cells not labelled, is kept as
scored_dir).
"""
import json
import os
import subprocess
import sys
import tempfile

from averaged_runs import averaged, macro_f1_present, per_class_f1, probabilities

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")


def predicted(cell, target, scratch, smear):
    out = os.path.join(scratch, f"{len(os.listdir(scratch))}.csv")
    subprocess.run([smear, "predict", os.path.join(cell, "run"), target, out, "--tta"], check=True, stdout=subprocess.DEVNULL)
    run = probabilities(out[:-4] + "_probabilities.csv")
    recorded = json.load(open(os.path.join(cell, "result.json")))["macro_f1_present_tta"]
    assert abs(macro_f1_present(*run) - recorded) < 2e-3, (cell, macro_f1_present(*run), recorded)   # the CSV keeps 6 decimals
    return run


def main(target, out, cells):
    smear = os.environ.get("SMEAR", os.path.join(ROOT, ".build", "release", "smear"))
    with tempfile.TemporaryDirectory() as scratch:
        runs = [predicted(c, target, scratch, smear) for c in cells]
    mean = averaged(*runs)
    # the lab the cells were trained for, from their records (TARGET_DIR may be a folder of links to its cells)
    labs = {os.path.basename(json.load(open(os.path.join(c, "result.json")))["target"]) for c in cells}
    assert len(labs) == 1, labs
    record = {"target": labs.pop(), "scored_dir": os.path.basename(os.path.normpath(target)), "runs": [os.path.basename(os.path.dirname(os.path.normpath(c))) for c in cells],
              "macro_f1_present_tta": [macro_f1_present(*r) for r in runs], "macro_f1_present_averaged": macro_f1_present(*mean),
              "per_class_f1_averaged": per_class_f1(*mean)}
    with open(out + ".part", "w") as fh:
        json.dump(record, fh, indent=1)
    os.replace(out + ".part", out)
    print(json.dumps(record))


if __name__ == "__main__":
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2], sys.argv[3:])
