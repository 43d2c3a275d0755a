#!/usr/bin/env python3
"""Converts a PyTorch state dict (.pth, the legacy format or the zip format) to safetensors without running it.

    scripts/weights_convert.py IN.pth OUT.safetensors

A .pth file is a pickle, and unpickling runs whatever callables the file names. This reader names its own:
the unpickler resolves only the globals a tensor state dict needs (collections.OrderedDict,
torch._utils._rebuild_tensor_v2 and the float/long storage types), each mapped to a small function of this
file that records what it was given; any other global (os.system, builtins.eval, ...) stops the conversion
with an error naming it. torch is not imported: tensor bytes are read straight from the file. float32
tensors are written as F32 under their own names; integer buffers (batch norm's num_batches_tracked) are
left out, as smear keeps none. Python's standard library only.
"""
import array
import io
import itertools
import json
import pickle
import struct
import sys
import zipfile
from collections import OrderedDict


class Refused(Exception):
    """The file asks for something a tensor state dict never needs."""


class StorageType:
    def __init__(self, name, dtype, size):
        self.name, self.dtype, self.itemsize = name, dtype, size


STORAGE_TYPES = {"FloatStorage": StorageType("FloatStorage", "F32", 4), "LongStorage": StorageType("LongStorage", "I64", 8)}


class Storage:
    def __init__(self, key, kind, numel):
        self.key, self.kind, self.numel, self.data = key, kind, numel, None


class TensorRef:
    def __init__(self, storage, offset, size, stride):
        self.storage, self.offset, self.size, self.stride = storage, offset, tuple(size), tuple(stride)


def rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad=False, backward_hooks=None, metadata=None):
    if not isinstance(storage, Storage) or not all(isinstance(v, int) for v in (storage_offset, *size, *stride)):
        raise Refused("_rebuild_tensor_v2 called with something other than a storage and integer sizes")
    return TensorRef(storage, storage_offset, size, stride)


ALLOWED = {
    ("collections", "OrderedDict"): OrderedDict,
    ("torch._utils", "_rebuild_tensor_v2"): rebuild_tensor_v2,
    ("torch", "FloatStorage"): STORAGE_TYPES["FloatStorage"],
    ("torch", "LongStorage"): STORAGE_TYPES["LongStorage"],
}


class RestrictedUnpickler(pickle.Unpickler):
    def __init__(self, file, storages):
        super().__init__(file)
        self.storages = storages

    def find_class(self, module, name):
        try:
            return ALLOWED[(module, name)]
        except KeyError:
            raise Refused(f"the file names the global {module}.{name}, which a tensor state dict never needs; not converted")

    def persistent_load(self, pid):
        if not isinstance(pid, tuple) or len(pid) < 5 or pid[0] != "storage" or not isinstance(pid[1], StorageType):
            raise Refused(f"unexpected persistent id {pid!r:.80}")
        _, kind, key, _location, numel = pid[:5]
        if not isinstance(numel, int) or numel < 0 or not isinstance(key, str):
            raise Refused("a storage with a bad size or key")
        return self.storages.setdefault(key, Storage(key, kind, numel))


def load_legacy(data):
    f, storages = io.BytesIO(data), {}
    for _ in range(3):   # magic number, protocol version, system info: plain values
        RestrictedUnpickler(f, storages).load()
    state = RestrictedUnpickler(f, storages).load()
    keys = RestrictedUnpickler(f, storages).load()
    for key in keys:
        s = storages[key]
        (numel,) = struct.unpack("<q", f.read(8))
        if numel != s.numel:
            raise Refused(f"storage {key}: {numel} elements on disk, {s.numel} declared")
        s.data = f.read(numel * s.kind.itemsize)
        if len(s.data) != numel * s.kind.itemsize:
            raise Refused(f"storage {key} is truncated")
    return state


def load_zip(data):
    z, storages = zipfile.ZipFile(io.BytesIO(data)), {}
    names = z.namelist()
    pkl = next(n for n in names if n.endswith("/data.pkl"))
    state = RestrictedUnpickler(io.BytesIO(z.read(pkl)), storages).load()
    prefix = pkl[: -len("data.pkl")]
    for key, s in storages.items():
        s.data = z.read(f"{prefix}data/{key}")
        if len(s.data) < s.numel * s.kind.itemsize:
            raise Refused(f"storage {key} is truncated")
    return state


def load(path):
    data = open(path, "rb").read()
    state = load_zip(data) if data[:2] == b"PK" else load_legacy(data)
    if not isinstance(state, dict) or not all(isinstance(k, str) and isinstance(v, TensorRef) for k, v in state.items()):
        raise Refused("the pickle is not a mapping of names to tensors")
    return state


def contiguous_bytes(t):
    """The tensor's elements in row-major order (gathered through its strides when it is stored otherwise)."""
    count = 1
    for n in t.size:
        count *= n
    item = t.storage.kind.itemsize
    if count == 0:
        return b""
    last = t.offset + sum((n - 1) * s for n, s in zip(t.size, t.stride))
    if t.offset < 0 or min(t.stride, default=0) < 0 or (last + 1) * item > len(t.storage.data):
        raise Refused("a tensor reaches outside its storage")
    expected, step = [], 1
    for n in reversed(t.size):
        expected.insert(0, step)
        step *= n
    if all(s == e or n == 1 for s, e, n in zip(t.stride, expected, t.size)):
        return t.storage.data[t.offset * item:(t.offset + count) * item]
    values = array.array("f" if item == 4 else "q")
    values.frombytes(t.storage.data)
    out = array.array(values.typecode)
    for index in itertools.product(*(range(n) for n in t.size)):
        out.append(values[t.offset + sum(i * s for i, s in zip(index, t.stride))])
    return out.tobytes()


def write_safetensors(tensors, path, metadata):
    header, offset, blobs = {"__metadata__": metadata}, 0, []
    for name, t in tensors.items():
        blob = contiguous_bytes(t)
        header[name] = {"dtype": "F32", "shape": list(t.size), "data_offsets": [offset, offset + len(blob)]}
        offset += len(blob)
        blobs.append(blob)
    text = json.dumps(header, sort_keys=True).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text)
        for b in blobs:
            f.write(b)


def main(argv):
    if len(argv) != 3:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 64
    try:
        state = load(argv[1])
    except Refused as e:
        print(f"weights_convert: {argv[1]}: {e}", file=sys.stderr)
        return 65
    floats = OrderedDict((k, v) for k, v in state.items() if v.storage.kind.dtype == "F32")
    write_safetensors(floats, argv[2], {"source": argv[1].rsplit("/", 1)[-1], "converted_by": "smear scripts/weights_convert.py"})
    print(f"weights_convert: {len(floats)} float tensors ({len(state) - len(floats)} integer buffers left out) -> {argv[2]}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
