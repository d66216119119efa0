#!/usr/bin/python3
"""JPEG decode fixtures (deterministic): a 40x30 RGB test picture encoded by OpenCV (libjpeg) as baseline 4:2:0
quality 90 (rgb_baseline.jpg), progressive (rgb_progressive.jpg) and a grey baseline (grey.jpg), each with libjpeg's
own decode stored losslessly as PNG (*_libjpeg.png, RGB or grey) so that the C# decoder can be compared with it."""
import os

import cv2
import numpy as np

OUT = os.path.dirname(os.path.abspath(__file__))
h, w = 30, 40
y, x = np.mgrid[0:h, 0:w].astype(np.float64)
rgb = np.stack([255 * x / (w - 1), 255 * y / (h - 1), 128 + 100 * np.sin(x / 4.0) * np.cos(y / 5.0)], axis=-1)
rgb[8:20, 10:22] = [220, 40, 60]  # a flat red rectangle (sharp edges)
rgb = np.clip(np.round(rgb), 0, 255).astype(np.uint8)
bgr = rgb[..., ::-1]
cases = {
    "rgb_baseline": (bgr, [cv2.IMWRITE_JPEG_QUALITY, 90]),
    "rgb_progressive": (bgr, [cv2.IMWRITE_JPEG_QUALITY, 90, cv2.IMWRITE_JPEG_PROGRESSIVE, 1]),
    "grey": (cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY), [cv2.IMWRITE_JPEG_QUALITY, 90]),
}
for name, (img, params) in cases.items():
    ok, data = cv2.imencode(".jpg", img, params)
    assert ok
    path = os.path.join(OUT, name + ".jpg")
    with open(path, "wb") as f:
        f.write(data.tobytes())
    dec = cv2.imread(path, cv2.IMREAD_UNCHANGED)
    cv2.imwrite(os.path.join(OUT, name + "_libjpeg.png"), dec)
    print(name, len(data), dec.shape)

# A 16-bit RGB PNG (4x3), which PngReader does not handle, so ImageFile falls back to StbImageSharp (16 -> 8 bit by
# keeping the high byte). Its values are printed for the test.
deep = (np.arange(4 * 3 * 3, dtype=np.uint16).reshape(3, 4, 3) * 1800 + 255).astype(np.uint16)
cv2.imwrite(os.path.join(OUT, "rgb16.png"), deep[..., ::-1])
print("rgb16 high bytes (RGB, row-major):", (deep >> 8).ravel().tolist())
