"""What the PyTorch/Python peers of aia4j's benchmarks share: reading aia4j's safetensors files
and naming the BLAS library torch actually loaded."""
import json
import struct

import numpy as np
import torch

DTYPES = {"F32": np.float32, "F64": np.float64, "I64": np.int64, "I32": np.int32}


def read_safetensors(path):
    """Every tensor of a safetensors file, by name (the metadata entry is skipped)."""
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    base = 8 + n
    tensors = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        begin, end = entry["data_offsets"]
        array = np.frombuffer(data[base + begin:base + end], dtype=DTYPES[entry["dtype"]]).reshape(entry["shape"])
        tensors[name] = torch.from_numpy(array.copy())
    return tensors


def blas():
    """The BLAS library torch's process actually loaded (Debian's torch calls the system BLAS)."""
    try:
        with open("/proc/self/maps") as maps:
            names = {line.split("/")[-1].strip() for line in maps if "blas" in line.lower()}
        return ", ".join(sorted(names)) or "unknown"
    except OSError:
        return "unknown"
