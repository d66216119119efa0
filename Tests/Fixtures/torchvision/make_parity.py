"""Logits of torchvision ResNets whose weights follow a closed formula that the C# test reproduces exactly.

Every state-dict entry k (in state-dict order) gets, per element i, u = ((i·2654435761 + (k+1)·2654435769) mod 2³²) / 2³²
and then:  weights of rank ≥ 2: (2u − 1)·√(3/fan_in);  bn weight: 1 + 0.2(u − ½);  bn bias / fc bias: 0.2(u − ½);
running_mean: 0.2(u − ½);  running_var: 0.5 + u;  num_batches_tracked: 0.
The input is x[i] = 2u − 1 with k = 1000 over a [1, 3, 64, 64] image. Eval mode, float32.
Run with Debian's torch 1.13 / torchvision 0.14:  /usr/bin/python3 Tests/Fixtures/torchvision/make_parity.py
"""
import json
import math
import os

import torch
import torchvision


def u(n, k):
    i = torch.arange(n, dtype=torch.int64)
    h = (i * 2654435761 + (k + 1) * 2654435769) & 0xFFFFFFFF
    return h.double() / 2.0 ** 32


def fill(name, t, k):
    v = u(t.numel(), k)
    if name.endswith("num_batches_tracked"):
        return torch.zeros_like(t)
    if t.dim() >= 2:
        fan_in = t[0].numel()
        v = (2 * v - 1) * math.sqrt(3.0 / fan_in)
    elif name.endswith("running_var"):
        v = 0.5 + v
    elif name.endswith("weight"):
        v = 1 + 0.2 * (v - 0.5)
    else:
        v = 0.2 * (v - 0.5)
    return v.to(t.dtype).reshape(t.shape)


here = os.path.dirname(os.path.abspath(__file__))
for name in ["resnet18", "resnet50"]:
    model = getattr(torchvision.models, name)().eval()
    sd = model.state_dict()
    model.load_state_dict({key: fill(key, t, k) for k, (key, t) in enumerate(sd.items())})
    x = (2 * u(3 * 64 * 64, 1000) - 1).float().reshape(1, 3, 64, 64)
    with torch.no_grad():
        logits = model(x)[0]
    with open(os.path.join(here, f"{name}_parity.json"), "w") as f:
        json.dump({"torch": torch.__version__, "torchvision": torchvision.__version__,
                   "logits": [float(v) for v in logits]}, f)
