#!/usr/bin/env python3
"""The table of experiments/propagation_sweep's records (results/label-propagation/LAB/ARM/seedS.json): for each group
of runs (label-free, labelled, label-free self-training), each lab's mean macro F1 over its runs with the 8
orientations averaged, without and with label spreading, and the mean over the labs; then every arm's means.

    python3 experiments/propagation_table.py [results/label-propagation]
"""
import os
import sys

from evaluation_table import table

if __name__ == "__main__":
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "results", "label-propagation")
    print(table(root, "macro_f1_present_tta", "macro_f1_present_propagated_tta", names=("classifier", "propagated")))
