"""What the grids' result.json records say, read one way by every table script (few_labels_table.py, budget_curve.py,
rare_class_table.py)."""
import json
import os
import statistics

# Each macro F1 a record may hold, and the per-class F1 list it was computed from (None: not recorded per class).
PER_CLASS = {"macro_f1_present": "per_class_f1", "macro_f1_present_adabn": "per_class_f1_adabn",
             "macro_f1_present_tta": "per_class_f1_tta", "macro_f1_present_adabn_tta": "per_class_f1_adabn_tta",
             "macro_f1_present_average": None}


def macro_f1(record, key, left_out=None):
    """The record's macro F1 `key`; with `left_out` (a class name), the mean per-class F1 over the other classes that
    have scored cells (a lab's single basophil, once labelled, leaves the scored cells and lifts that run's macro F1 by
    a class's share; leaving the class out of all runs compares them on the same classes). None when not recorded."""
    if left_out is None:
        return record.get(key)
    per_class = record.get(PER_CLASS[key]) if PER_CLASS.get(key) else None
    if per_class is None or "support" not in record:
        return None
    kept = [f for name, f, n in zip(record["classes"], per_class, record["support"]) if n > 0 and name != left_out]
    return statistics.mean(kept) if kept else None


def seed_records(folder):
    """Each seed's record in an arm's folder (FOLDER/seedS/result.json), as (seed folder name, record), in name order;
    nothing when the folder does not exist."""
    for seed in sorted(os.listdir(folder)) if os.path.isdir(folder) else []:
        path = os.path.join(folder, seed, "result.json")
        if os.path.exists(path):
            yield seed, json.load(open(path))


def take_option(args, name):
    """The value after `name` in the argument list `args` (both removed from it), or None when it is not there."""
    if name not in args:
        return None
    i = args.index(name)
    value = args[i + 1]
    del args[i:i + 2]
    return value
