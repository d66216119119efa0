"""Writes the state-dict keys and shapes of torchvision ResNets (one `key shape` line each).

Run with Debian's torch 1.13 / torchvision 0.14:  /usr/bin/python3 Tests/Fixtures/torchvision/make_keys.py
"""
import os
import torchvision

here = os.path.dirname(os.path.abspath(__file__))
for name in ["resnet18", "resnet50", "resnext50_32x4d"]:
    model = getattr(torchvision.models, name)()
    with open(os.path.join(here, f"{name}_keys.txt"), "w") as f:
        for key, value in model.state_dict().items():
            f.write(f"{key} {'x'.join(str(d) for d in value.shape)}\n")
