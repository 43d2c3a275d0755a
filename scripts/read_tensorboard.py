#!/usr/bin/env python3
"""Reads a run folder's TensorBoard event file with TensorBoard's own reader (EventAccumulator) and prints every
scalar as JSON: {tag: [[step, value, wall_time], ...]}. The tests compare it with the run's history.jsonl.

usage: scripts/read_tensorboard.py RUN_FOLDER   (with the tensorboard package, e.g. .venv-tools/bin/python)"""
import json
import sys

from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

acc = EventAccumulator(sys.argv[1], size_guidance={"scalars": 0})
acc.Reload()
print(json.dumps({tag: [[e.step, e.value, e.wall_time] for e in acc.Scalars(tag)] for tag in acc.Tags()["scalars"]}))
