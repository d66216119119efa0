#!/usr/bin/python3
"""Writes the weight-interop fixtures under Tests/Fixtures/io/ (torch 1.13, fixed seeds).

.pth files via torch.save, .safetensors written by hand (struct + json, as the reference implementation lays
them out: u64 little-endian header length, JSON header padded with spaces to a multiple of 8, tensors contiguous
in key order), and expected.json holding every tensor's dtype, shape and row-major values (exact: float32 values
are exactly representable as JSON doubles)."""
import collections
import json
import os
import struct

import torch

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "io")
os.makedirs(OUT, exist_ok=True)
torch.manual_seed(1234)

ST_DTYPES = {
    torch.float64: ("F64", "d"), torch.float32: ("F32", "f"), torch.float16: ("F16", None),
    torch.bfloat16: ("BF16", None), torch.int64: ("I64", "q"), torch.int32: ("I32", "i"),
    torch.int16: ("I16", "h"), torch.int8: ("I8", "b"), torch.uint8: ("U8", "B"), torch.bool: ("BOOL", "?"),
}


def tensor_bytes(t):
    t = t.contiguous()
    if t.dtype in (torch.float16, torch.bfloat16):
        return t.view(torch.int16).numpy().tobytes()
    return t.numpy().tobytes()


def write_safetensors(path, sd, metadata=None):
    header = {}
    blobs = []
    offset = 0
    for k, t in sd.items():
        b = tensor_bytes(t)
        header[k] = {"dtype": ST_DTYPES[t.dtype][0], "shape": list(t.shape), "data_offsets": [offset, offset + len(b)]}
        blobs.append(b)
        offset += len(b)
    if metadata is not None:
        header["__metadata__"] = metadata
    h = json.dumps(header, separators=(",", ":")).encode("utf-8")
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


def describe(t):
    name = str(t.dtype).replace("torch.", "")
    if t.dtype in (torch.float16, torch.bfloat16):
        vals = t.float().flatten().tolist()
    elif t.dtype == torch.bool:
        vals = [1 if v else 0 for v in t.flatten().tolist()]
    else:
        vals = t.flatten().tolist()
    return {"dtype": name, "shape": list(t.shape), "values": vals}


expected = {}

# 1. a plain state dict: Linear(4,3) -> Linear(3,2) plus a BatchNorm1d (int64 num_batches_tracked buffer)
model = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.BatchNorm1d(3), torch.nn.Linear(3, 2))
with torch.no_grad():
    model[1].running_mean.copy_(torch.randn(3))
    model[1].running_var.copy_(torch.rand(3) + 0.5)
    model[1].num_batches_tracked.fill_(7)
plain = model.state_dict()
torch.save(plain, os.path.join(OUT, "plain.pth"))
write_safetensors(os.path.join(OUT, "plain.safetensors"), plain, {"format": "pt", "note": "plain"})
expected["plain"] = collections.OrderedDict((k, describe(v)) for k, v in plain.items())

# 2. a nested training checkpoint
opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
model.train()
loss = model(torch.randn(5, 4)).pow(2).sum()
loss.backward()
opt.step()
nested = {"model": model.state_dict(), "optimizer": opt.state_dict(), "epoch": 3, "best": 0.125,
          "name": "run-\u00e9", "tags": ["a", "b"], "pair": (1, 2.5), "flag": True, "none": None,
          "big": 2 ** 40, "neg": -5}
torch.save(nested, os.path.join(OUT, "nested.pth"))
expected["nested_model"] = collections.OrderedDict((k, describe(v)) for k, v in nested["model"].items())
expected["nested_momentum0"] = describe(opt.state_dict()["state"][0]["momentum_buffer"])

# 3. shared storage: a base tensor, a transposed slice of it and a row, saved together
base = torch.arange(20, dtype=torch.float32).reshape(4, 5) * 0.5 - 3
shared = collections.OrderedDict([("base", base), ("tslice", base[1:3, 1:4].t()), ("row", base[2]),
                                  ("strided", base[:, ::2])])
torch.save(shared, os.path.join(OUT, "shared.pth"))
expected["shared"] = collections.OrderedDict((k, describe(v)) for k, v in shared.items())
expected["shared_layout"] = {k: {"offset": v.storage_offset(), "stride": list(v.stride())} for k, v in shared.items()}

# 4. dtypes
dt = collections.OrderedDict([
    ("f64", torch.randn(2, 3, dtype=torch.float64)),
    ("f32", torch.randn(3)),
    ("f16", torch.randn(2, 2).half()),
    ("bf16", torch.randn(2, 2).bfloat16()),
    ("i64", torch.tensor([[-(2 ** 40), 0, 7]], dtype=torch.int64)),
    ("i32", torch.tensor([-2 ** 31, 5, 2 ** 31 - 1], dtype=torch.int32)),
    ("i16", torch.tensor([-32768, 3, 32767], dtype=torch.int16)),
    ("i8", torch.tensor([-128, -1, 127], dtype=torch.int8)),
    ("u8", torch.tensor([0, 1, 255], dtype=torch.uint8)),
    ("bool", torch.tensor([True, False, True, True])),
    ("scalar", torch.tensor(2.5)),
    ("empty", torch.zeros(0, 3)),
])
torch.save(dt, os.path.join(OUT, "dtypes.pth"))
write_safetensors(os.path.join(OUT, "dtypes.safetensors"), dt)
expected["dtypes"] = collections.OrderedDict((k, describe(v)) for k, v in dt.items())

# 5. a parameter wrapped state (torch.nn.Parameter objects saved directly) and a legacy non-zip file
params = collections.OrderedDict([("w", torch.nn.Parameter(torch.randn(2, 2)))])
torch.save(params, os.path.join(OUT, "param.pth"))
expected["param"] = collections.OrderedDict((k, describe(v.detach())) for k, v in params.items())
torch.save(plain, os.path.join(OUT, "legacy.pth"), _use_new_zipfile_serialization=False)

# 6. plain-data pickles of every protocol the reader accepts (2-5: FRAME, MEMOIZE, STACK_GLOBAL, BINUNICODE8 paths)
import pickle
import zipfile
plain_data = {"a": [1, 2.5, None, True, False, -1, 300, 70000, -(2 ** 40)], (1, "x"): "\u00e9\u4e2d", None: 2 ** 70,
              "neg_big": -(2 ** 70), "s": {3}, "fs": frozenset([4]), "od": collections.OrderedDict([("k", (1,))]),
              "b": b"\x00\xff", "t0": (), "t1": (1,), "t3": (1, 2, 3), "t4": (1, 2, 3, 4), "f": -0.1}
for proto in (2, 3, 4, 5):
    with zipfile.ZipFile(os.path.join(OUT, f"proto{proto}.pth"), "w", zipfile.ZIP_STORED) as z:
        z.writestr(f"proto{proto}/data.pkl", pickle.dumps(plain_data, protocol=proto))
        z.writestr(f"proto{proto}/version", "3\n")

with open(os.path.join(OUT, "expected.json"), "w") as f:
    json.dump(expected, f, indent=1)
    f.write("\n")
print("wrote", sorted(os.listdir(OUT)))
