#!/usr/bin/python3
"""Writes FashionDet's background photographs under Engine/Data/FashionDet/Photos/{train,val}/ from the sample images
that Debian's python3-skimage ships (each one CC0 or public domain per its scikit-image docstring; see LICENSES
beside them). Each is downscaled (INTER_AREA) so that its longer side is at most 512 px and stored as an 8-bit PNG
(RGB, or grey for the grey originals). Deterministic: the same skimage version gives the same files."""
import os

import cv2
import skimage.data as data

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "Engine", "Data", "FashionDet", "Photos")
SPLITS = {
    "train": ["astronaut", "rocket", "hubble_deep_field", "grass", "brick", "clock"],
    "val": ["coffee", "chelsea", "gravel", "camera"],
}
MAX_SIDE = 512

total = 0
for split, names in SPLITS.items():
    os.makedirs(os.path.join(OUT, split), exist_ok=True)
    for name in names:
        im = getattr(data, name)()
        h, w = im.shape[:2]
        s = min(1.0, MAX_SIDE / max(h, w))
        if s < 1:
            im = cv2.resize(im, (round(w * s), round(h * s)), interpolation=cv2.INTER_AREA)
        if im.ndim == 3:
            im = cv2.cvtColor(im, cv2.COLOR_RGB2BGR)
        path = os.path.join(OUT, split, name + ".png")
        cv2.imwrite(path, im, [cv2.IMWRITE_PNG_COMPRESSION, 9])
        size = os.path.getsize(path)
        total += size
        print(f"{split}/{name}.png {im.shape} {size} bytes")
print(f"total {total} bytes")
