#!/usr/bin/env python3
"""Seed corpus for the fuzzers in fuzz/: small valid files of each format and a few malformed
ones, written to DIR/<reader>/. Usage: fuzz_corpus.py DIR"""
import gzip, io, json, os, struct, sys, zipfile

out = sys.argv[1]


def put(reader, name, data):
    os.makedirs(os.path.join(out, reader), exist_ok=True)
    with open(os.path.join(out, reader, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


# CSV: header or not, delimiters, classes, quotes, a BOM, gzip, a ragged row, NaN, NUL.
put("csv", "header.csv", "x1,x2,y\n1,2,0\n3.5,-4e2,1\n")
put("csv", "plain.csv", "1 2 3\n4 5 6\n")
put("csv", "semicolon.csv", "1;2;0\r\n3;4;1\r\n")
put("csv", "quoted.csv", '"a","b"\n"1","2"\n')
put("csv", "bom.csv", "\ufeff1,2,0\n3,4,1\n")
put("csv", "ragged.csv", "1,2,3\n4,5\n")
put("csv", "nan.csv", "1,nan\n2,inf\n")
put("csv", "nul.csv", "1,2\n3,\x004\n")
put("csv", "gzip.csv", gzip.compress(b"1,2,0\n3,4,1\n"))

# NPY: float64 and float32, C and Fortran order, a bad header.
def npy(descr, shape, fortran, payload):
    header = "{'descr': '%s', 'fortran_order': %s, 'shape': %s, }" % (descr, fortran, shape)
    header += " " * ((64 - (10 + len(header) + 1) % 64) % 64) + "\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode() + payload

put("npy", "f8.npy", npy("<f8", "(2, 3)", "False", struct.pack("<6d", *range(6))))
put("npy", "f4_fortran.npy", npy("<f4", "(3, 2)", "True", struct.pack("<6f", *range(6))))
put("npy", "vector.npy", npy("<f8", "(4,)", "False", struct.pack("<4d", 1, 2, 3, 4)))
put("npy", "short.npy", npy("<f8", "(2, 3)", "False", struct.pack("<2d", 1, 2)))

# NPZ: ZIP archives of NPY members as np.savez (stored) and np.savez_compressed (deflate) write
# them, one with zip64 records throughout, one cut short.
def npz(members, compression, zip64=False):
    buffer = io.BytesIO()
    limit = zipfile.ZIP64_LIMIT
    if zip64:
        zipfile.ZIP64_LIMIT = 16  # every size and offset goes to zip64 records
    try:
        with zipfile.ZipFile(buffer, "w", compression) as z:
            for name, data in members.items():
                with z.open(name, "w", force_zip64=zip64) as f:
                    f.write(data)
    finally:
        zipfile.ZIP64_LIMIT = limit
    return buffer.getvalue()

xy = {"X.npy": npy("<f8", "(2, 3)", "False", struct.pack("<6d", *range(6))),
      "y.npy": npy("<i8", "(2,)", "False", struct.pack("<2q", 0, 1))}
put("npz", "stored.npz", npz(xy, zipfile.ZIP_STORED))
put("npz", "deflated.npz", npz(xy, zipfile.ZIP_DEFLATED))
put("npz", "zip64.npz", npz(xy, zipfile.ZIP_DEFLATED, zip64=True))
put("npz", "cut.npz", npz(xy, zipfile.ZIP_STORED)[:150])

# IDX: images (magic 2051) and labels (2049), raw and gzip, a truncated one.
images = struct.pack(">IIII", 2051, 2, 2, 2) + bytes(range(8))
labels = struct.pack(">II", 2049, 3) + bytes([0, 1, 2])
put("idx", "images.idx", images)
put("idx", "labels.idx", labels)
put("idx", "images.idx.gz", gzip.compress(images))
put("idx", "truncated.idx", images[:-3])

# safetensors: a 3-2 linear checkpoint as nnlab writes it, one with a NaN, a bad offset.
def safetensors(tensors, metadata):
    header, data = {}, b""
    for name, (shape, values) in tensors.items():
        payload = struct.pack("<%dd" % len(values), *values)
        header[name] = {"dtype": "F64", "shape": shape, "data_offsets": [len(data), len(data) + len(payload)]}
        data += payload
    header["__metadata__"] = metadata
    text = json.dumps(header).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    return struct.pack("<Q", len(text)) + text + data

arch = json.dumps({"format": 1, "version": "seed", "sizes": [3, 2], "activations": [], "loss": "mse",
                   "bias": True, "tying": "none", "dropout": "none", "keep": [], "weight_owner": [1],
                   "dtype": "F64"})
linear = {"W1": ([2, 3], [1, 2, 3, 4, 5, 6]), "b1": ([2], [10, 20])}
put("safetensors", "linear.safetensors", safetensors(linear, {"nnlab": arch}))
put("safetensors", "nan.safetensors",
    safetensors({"W1": ([2, 3], [1, float("nan"), 3, 4, 5, 6]), "b1": ([2], [0, 0])}, {"nnlab": arch}))
put("safetensors", "no_metadata.safetensors", safetensors(linear, {}))
put("safetensors", "short.safetensors", safetensors(linear, {"nnlab": arch})[:-8])

# Recipe JSON: a whole recipe as nnlab train writes it, a minimal one, an NPY source, and fields
# of the wrong type or out of range.
recipe = {"data": {"data": "/data/points.csv", "target_column": -1, "task": "auto", "test_fraction": 0.2,
                   "split_seed": 1, "standardize": False},
          "arch": "3-8-2", "activations": ["relu"], "loss": "cross_entropy", "bias": True, "tying": "none",
          "dropout": "inverted", "keep": [0.9, 0.7], "init": "uniform", "optimizer": "adam", "lr": 0.001,
          "momentum": None, "beta1": 0.9, "beta2": None, "rho": None, "eps": None, "weight_decay": 0,
          "schedule": "cosine", "batch": 128, "epochs": 20, "sampling": "reshuffle", "seed": 1,
          "precision": "float", "eval_train": False}
put("recipe", "full.json", json.dumps(recipe))
put("recipe", "minimal.json", "{}")
put("recipe", "npy.json", json.dumps({"data": {"data": "X.npy", "targets": "y.npy"}, "arch": "4-16-3"}))
put("recipe", "step.json", json.dumps(dict(recipe, schedule="step:5:0.5", optimizer="sgd", momentum=0.9)))
put("recipe", "wrong_type.json", json.dumps(dict(recipe, epochs="20")))
put("recipe", "huge.json", json.dumps(dict(recipe, epochs=1e30, batch=-1)))
put("recipe", "seed.json", '{"seed": -1, "data": {"data": "a.csv", "split_seed": 1e300, "target_column": 4e9}}')
put("recipe", "unknown.json", json.dumps(dict(recipe, extra=1)))
