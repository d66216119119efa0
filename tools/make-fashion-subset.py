#!/usr/bin/env python3
"""Builds data/fashion-mnist-subset/ from the full Fashion-MNIST IDX files (standard library only).

Subset: the first 6000 training images (if any class has fewer than 500 of them, instead the first 600 of each
class, kept in original order) and the first 1000 test images. Output files are gzip-compressed IDX with mtime 0
and no file name in the gzip header, so the bytes are deterministic.

usage: python3 tools/make-fashion-subset.py [SRC_DIR] [OUT_DIR]
       (defaults: /usr/share/datasets/fashion-mnist data/fashion-mnist-subset)
"""
import collections
import gzip
import os
import struct
import sys


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    magic, = struct.unpack(">I", data[:4])
    rank = magic & 0xFF
    if magic >> 8 != 0x08 or rank not in (1, 3):
        raise ValueError(f"{path}: unexpected magic {magic:#010x}")
    dims = struct.unpack(">" + "I" * rank, data[4:4 + 4 * rank])
    payload = data[4 + 4 * rank:]
    item = 1
    for d in dims[1:]:
        item *= d
    if len(payload) != dims[0] * item:
        raise ValueError(f"{path}: payload {len(payload)} bytes, dims {dims}")
    return dims, [payload[i * item:(i + 1) * item] for i in range(dims[0])]


def write_idx(path, dims, items):
    header = struct.pack(">I", 0x0800 | len(dims)) + struct.pack(">" + "I" * len(dims), *dims)
    with open(path, "wb") as raw:
        with gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=9, mtime=0) as f:
            f.write(header + b"".join(items))


def subset(src, out, split, indices):
    img_dims, images = read_idx(os.path.join(src, f"{split}-images-idx3-ubyte.gz"))
    _, labels = read_idx(os.path.join(src, f"{split}-labels-idx1-ubyte.gz"))
    idx = indices(labels)
    write_idx(os.path.join(out, f"{split}-images-idx3-ubyte.gz"), (len(idx),) + tuple(img_dims[1:]), [images[i] for i in idx])
    write_idx(os.path.join(out, f"{split}-labels-idx1-ubyte.gz"), (len(idx),), [labels[i] for i in idx])
    counts = collections.Counter(labels[i][0] for i in idx)
    print(f"{split}: {len(idx)} images, per class {dict(sorted(counts.items()))}")


def train_indices(labels):
    first = list(range(6000))
    counts = collections.Counter(labels[i][0] for i in first)
    if min(counts.get(c, 0) for c in range(10)) >= 500:
        return first
    taken = collections.Counter()
    idx = []
    for i, l in enumerate(labels):
        if taken[l[0]] < 600:
            taken[l[0]] += 1
            idx.append(i)
    return idx


def main():
    src = sys.argv[1] if len(sys.argv) > 1 else "/usr/share/datasets/fashion-mnist"
    out = sys.argv[2] if len(sys.argv) > 2 else "data/fashion-mnist-subset"
    os.makedirs(out, exist_ok=True)
    subset(src, out, "train", train_indices)
    subset(src, out, "t10k", lambda labels: list(range(1000)))


if __name__ == "__main__":
    main()
