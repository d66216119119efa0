#!/usr/bin/python3
"""Reference ResNet-18 features for Tests/IO/Onnx/OnnxResNet18Tests.cs, computed with OpenCV's cv2.dnn.

Model: NuGet Microsoft.ML.DnnImageFeaturizer.ResNet18 0.23.1 (CNTK export), files
tools/DnnImageModels/ResNetPrepOnnx/ResNetPreprocess.onnx (RGB -> BGR, minus the mean image) and
tools/DnnImageModels/ResNet18Onnx/ResNet18.onnx (features [1, 512, 1, 1]).
Image: scikit-image's coffee.png (600 x 400 RGB photo), the centre 224 x 224 crop (rows 88..311, columns
188..411), as float32 0..255 in NCHW RGB order; no resizing, so no interpolation convention is involved.
Only the 512 feature values are committed (onnx/resnet18_coffee_features.txt); the model and photo are not.

Usage: make_resnet18_onnx_reference.py [NUGET_PACKAGES_ROOT]
"""
import os
import sys

import cv2
import numpy as np

root = sys.argv[1] if len(sys.argv) > 1 else os.path.expanduser("~/.nuget/packages")
models = os.path.join(root, "microsoft.ml.dnnimagefeaturizer.resnet18", "0.23.1", "tools", "DnnImageModels")
photo = "/usr/lib/python3/dist-packages/skimage/data/coffee.png"

bgr = cv2.imread(photo, cv2.IMREAD_COLOR)
assert bgr.shape == (400, 600, 3), bgr.shape
rgb = bgr[88:312, 188:412, ::-1].astype(np.float32)
x = np.ascontiguousarray(rgb.transpose(2, 0, 1)[None])

prep = cv2.dnn.readNetFromONNX(os.path.join(models, "ResNetPrepOnnx", "ResNetPreprocess.onnx"))
prep.setInput(x)
pre = prep.forward()

net = cv2.dnn.readNetFromONNX(os.path.join(models, "ResNet18Onnx", "ResNet18.onnx"))
net.setPreferableBackend(cv2.dnn.DNN_BACKEND_OPENCV)
net.setPreferableTarget(cv2.dnn.DNN_TARGET_CPU)
net.setInput(pre)
y = net.forward().reshape(-1)
assert y.shape == (512,), y.shape

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "onnx", "resnet18_coffee_features.txt")
os.makedirs(os.path.dirname(out), exist_ok=True)
with open(out, "w") as f:
    f.write(f"# cv2 {cv2.__version__} dnn: ResNet18.onnx(ResNetPreprocess.onnx(coffee.png[88:312, 188:412] RGB)), 512 values\n")
    f.write(f"# preprocessed input checksum: sum={float(pre.astype(np.float64).sum()):.6f}\n")
    for v in y:
        f.write(f"{float(v):.9g}\n")
print(out, y[:6], float(np.abs(y).max()))
