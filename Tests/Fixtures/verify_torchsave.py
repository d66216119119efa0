#!/usr/bin/python3
"""Checks that .pth files written by Scratch.IO.TorchSave load in PyTorch with torch.load(weights_only=True).

Usage (from the repository root):
    SCRATCH_IO_EXPORT=/tmp/scratch-io-export dotnet test Tests/Scratch.Tests.csproj -c Release \
        --filter "FullyQualifiedName~Scratch.Tests.IO.TorchSaveTests"
    /usr/bin/python3 Tests/Fixtures/verify_torchsave.py /tmp/scratch-io-export > Tests/Fixtures/verify_torchsave.out.txt

Each <fixture>.scratch.pth is the state dict Scratch read from Tests/Fixtures/io/<fixture>.pth and wrote back; it
must hold the same keys in the same order and exactly the same values (float16/bfloat16 come back widened to
float32, int16/int8 to int32, since Scratch holds them so), with shared storages, offsets and strides preserved."""
import os
import sys

import torch

WIDEN = {torch.float16: torch.float32, torch.bfloat16: torch.float32, torch.int16: torch.int32, torch.int8: torch.int32}
HERE = os.path.dirname(os.path.abspath(__file__))
out = sys.argv[1]
failures = 0
print("torch", torch.__version__)
for fixture in ["plain", "dtypes", "shared", "param", "nested"]:
    orig = torch.load(os.path.join(HERE, "io", fixture + ".pth"))
    if fixture == "nested":
        orig = orig["model"]
    mine = torch.load(os.path.join(out, fixture + ".scratch.pth"), weights_only=True)
    ok = type(mine).__name__ == "OrderedDict" and list(mine.keys()) == list(orig.keys())
    for k, t in orig.items():
        t = t.detach()
        m = mine[k]
        same = (m.dtype == WIDEN.get(t.dtype, t.dtype) and m.shape == t.shape and
                torch.equal(m, t.to(m.dtype)) and not m.requires_grad)
        if fixture == "shared":
            same = same and m.stride() == t.stride() and m.storage_offset() == t.storage_offset() and \
                m.storage().data_ptr() == mine["base"].storage().data_ptr()
        ok = ok and same
        if not same:
            print(f"  MISMATCH {fixture}[{k}]: {m.dtype} {tuple(m.shape)} vs {t.dtype} {tuple(t.shape)}")
    print(f"{fixture}.scratch.pth: {len(mine)} tensors, weights_only load {'OK' if ok else 'FAILED'}")
    failures += not ok
mod = torch.load(os.path.join(out, "module.scratch.pth"), weights_only=True)
print("module.scratch.pth:", ", ".join(f"{k}:{str(v.dtype).replace('torch.', '')}{list(v.shape)}" for k, v in mod.items()))
print("  extra.t", mod["extra.t"].tolist(), "stride", mod["extra.t"].stride())
print("  extra.big", mod["extra.big"].tolist(), " extra.mask", mod["extra.mask"].tolist(), " extra.u8", mod["extra.u8"].tolist())
ok = (mod["extra.t"].tolist() == [[0.0, 3.0], [1.0, 4.0], [2.0, 5.0]] and
      mod["extra.big"].tolist() == [2 ** 63 - 1, -2 ** 63, 2 ** 40] and mod["extra.mask"].tolist() == [True, False] and
      mod["extra.u8"].tolist() == [7, 255] and mod["extra.i32"].tolist() == [-3, 4] and mod["extra.empty"].numel() == 0)
print("module.scratch.pth: weights_only load", "OK" if ok else "FAILED")
failures += not ok
# the Scratch-written model loads into the torch module it mirrors
net = torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.BatchNorm1d(2))
res = net.load_state_dict({k: v for k, v in mod.items() if not k.startswith("extra.")})
print("load_state_dict into torch Sequential(Linear(3,2), BatchNorm1d(2)):", res)
# the Scratch-written safetensors file of the same state, parsed by hand with the reference implementation's rules
import json, struct
ST = {"F64": torch.float64, "F32": torch.float32, "I64": torch.int64, "I32": torch.int32, "U8": torch.uint8, "BOOL": torch.bool}
raw = open(os.path.join(out, "module.scratch.safetensors"), "rb").read()
(n,) = struct.unpack("<Q", raw[:8])
header = json.loads(raw[8:8 + n])
data = raw[8 + n:]
meta = header.pop("__metadata__", {})
pos, ok = 0, n % 8 == 0 and raw[8 + n - 1:8 + n] in (b" ", b"}") and list(header) == list(mod.keys())
for k, h in header.items():
    b, e = h["data_offsets"]
    ok = ok and b == pos
    pos = e
    t = torch.frombuffer(bytearray(data[b:e]), dtype=ST[h["dtype"]]).reshape(h["shape"]) if e > b else \
        torch.zeros(h["shape"], dtype=ST[h["dtype"]])
    ok = ok and torch.equal(t, mod[k].contiguous())
ok = ok and pos == len(data) and meta == {"format": "pt"}
print("module.scratch.safetensors: header", n, "bytes, metadata", meta, "->", "OK" if ok else "FAILED")
failures += not ok
print("ALL OK" if failures == 0 else f"{failures} FAILED")
sys.exit(1 if failures else 0)
