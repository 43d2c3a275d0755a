#!/usr/bin/env python3
"""Checks an ONNX model smear exported (onnx.checker, full check) and runs it in onnxruntime on images given as a
safetensors file with one float32 tensor "image" [N, 3, S, S]. Prints JSON: {"probabilities": [[...], ...],
"logits": [[...], ...], "metadata": {key: value}}. The tests compare it with smear's own predictions.

usage: scripts/run_onnx.py MODEL.onnx IMAGES.safetensors   (with onnx and onnxruntime, e.g. .venv-tools/bin/python)"""
import json
import struct
import sys

import numpy as np
import onnx
import onnxruntime


def read_safetensors(path):
    with open(path, "rb") as f:
        (length,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(length))
        body = f.read()
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        assert info["dtype"] == "F32", info
        start, end = info["data_offsets"]
        out[name] = np.frombuffer(body[start:end], dtype="<f4").reshape(info["shape"])
    return out


model = onnx.load(sys.argv[1])
onnx.checker.check_model(model, full_check=True)
session = onnxruntime.InferenceSession(sys.argv[1], providers=["CPUExecutionProvider"])
logits, probabilities = session.run(["logits", "probabilities"], {"image": read_safetensors(sys.argv[2])["image"]})
print(json.dumps({"probabilities": probabilities.tolist(), "logits": logits.tolist(),
                  "metadata": {p.key: p.value for p in model.metadata_props}}))
