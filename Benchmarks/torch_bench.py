"""PyTorch side of the side-by-side benchmark: prints one JSON object per line, in the same fields as
`scratch bench ... --json` (op, name, shape, threads, ms, gflops).

Usage: /usr/bin/python3 Benchmarks/torch_bench.py gemm --n 512 [--m M --k K] [--threads 2] [--repeat 10]
       /usr/bin/python3 Benchmarks/torch_bench.py conv --preset resnet50 [--threads 2]
       /usr/bin/python3 Benchmarks/torch_bench.py resnet50 [--batch B] [--size 224] [--train] [--threads 2]
       /usr/bin/python3 Benchmarks/torch_bench.py roi-align [--backward] [--threads 2]
       /usr/bin/python3 Benchmarks/torch_bench.py ps-roi-align [--backward] [--threads 2]
       /usr/bin/python3 Benchmarks/torch_bench.py nms [--threads 2]
       /usr/bin/python3 Benchmarks/torch_bench.py info
"""
import argparse
import json
import statistics
import time

import torch
import torch.nn.functional as F

# (name, batch, cin, cout, kernel, stride, padding, dilation, groups, size): the layer set the speed targets name.
CONV_PRESETS = {
    "resnet50": [
        ("conv7x7s2_3_64_224", 1, 3, 64, 7, 2, 3, 1, 1, 224),
        ("conv3x3_64_64_56", 1, 64, 64, 3, 1, 1, 1, 1, 56),
        ("conv3x3_256_256_56", 1, 256, 256, 3, 1, 1, 1, 1, 56),
        ("conv1x1_256_1024_56", 1, 256, 1024, 1, 1, 0, 1, 1, 56),
        ("conv3x3_64_64_56_b8", 8, 64, 64, 3, 1, 1, 1, 1, 56),
    ],
    "resnet18": [
        ("conv3x3_64_64_64_b2", 2, 64, 64, 3, 1, 1, 1, 1, 64),
        ("conv3x3s2_64_128_64_b2", 2, 64, 128, 3, 2, 1, 1, 1, 64),
        ("conv3x3_128_128_32_b2", 2, 128, 128, 3, 1, 1, 1, 1, 32),
        ("conv3x3_256_256_16_b2", 2, 256, 256, 3, 1, 1, 1, 1, 16),
        ("conv3x3_512_512_8_b2", 2, 512, 512, 3, 1, 1, 1, 1, 8),
    ],
    "detection": [
        ("dw5x5s1_132_40", 1, 132, 132, 5, 1, 2, 1, 132, 40),
        ("dw5x5s2_132_80", 1, 132, 132, 5, 2, 2, 1, 132, 80),
        ("conv3x3d2_256_50", 1, 256, 256, 3, 1, 2, 2, 1, 50),
    ],
}


def median_ms(fn, repeat, warmup=2):
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1e3)
    return statistics.median(times), min(times), max(times)


def emit(**fields):
    print(json.dumps(fields), flush=True)


def bench_gemm(a):
    m, n, k = a.m or a.n, a.n, a.k or a.n
    dtype = torch.float64 if a.dtype == "f64" else torch.float32
    x, y = torch.randn(m, k, dtype=dtype), torch.randn(k, n, dtype=dtype)
    ms, lo, hi = median_ms(lambda: torch.mm(x, y), a.repeat)
    emit(framework="torch", op="gemm", m=m, n=n, k=k, dtype=a.dtype, threads=torch.get_num_threads(),
         ms=ms, ms_min=lo, ms_max=hi, gflops=2.0 * m * n * k / ms / 1e6)


def bench_conv(a):
    for name, b, cin, cout, k, s, p, d, g, size in CONV_PRESETS[a.preset]:
        x = torch.randn(b, cin, size, size, requires_grad=True)
        w = torch.randn(cout, cin // g, k, k, requires_grad=True)
        out = F.conv2d(x, w, None, s, p, d, g)
        flops = 2.0 * out.numel() * (cin // g) * k * k
        fwd, _, _ = median_ms(lambda: F.conv2d(x, w, None, s, p, d, g), a.repeat)
        grad = torch.randn_like(out)

        def step():
            y = F.conv2d(x, w, None, s, p, d, g)
            torch.autograd.grad(y, (x, w), grad)

        both, _, _ = median_ms(step, a.repeat)
        emit(framework="torch", op="conv", name=name, shape=[b, cin, size, size, cout, k, s, p, d, g],
             threads=torch.get_num_threads(), ms=fwd, ms_fwdbwd=both, gflops=flops / fwd / 1e6)


def bench_resnet50(a):
    """Eval: one inference pass (eval mode, no grad), batch 1 by default. --train: one training step (forward,
    cross-entropy against fixed labels, backward, SGD momentum step, zero grad), batch 2 by default."""
    import torchvision
    torch.manual_seed(0)
    batch = a.batch or (2 if a.train else 1)
    model = torchvision.models.resnet50()
    x = torch.randn(batch, 3, a.size, a.size)
    if a.train:
        model.train()
        target = torch.tensor([(i * 37) % 1000 for i in range(batch)])
        opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)

        def step():
            loss = F.cross_entropy(model(x), target)
            loss.backward()
            opt.step()
            opt.zero_grad(set_to_none=True)

        ms, _, _ = median_ms(step, a.repeat)
    else:
        model.eval()
        with torch.no_grad():
            ms, _, _ = median_ms(lambda: model(x), a.repeat)
    emit(framework="torch", op="resnet50_train" if a.train else "resnet50_eval", batch=batch, size=a.size,
         threads=torch.get_num_threads(), ms=ms)


def random_rois(k, height, width):
    """[k, 5] rows (0, x1, y1, x2, y2): two sorted uniform x and y coordinates inside a height x width image."""
    xs = (torch.rand(k, 2) * width).sort(dim=1).values
    ys = (torch.rand(k, 2) * height).sort(dim=1).values
    return torch.stack([torch.zeros(k), xs[:, 0], ys[:, 0], xs[:, 1], ys[:, 1]], dim=1)


def bench_roi_align(a):
    """Features [1, 256, 50, 68] (stride 16 of an 800x1088 image), 512 random boxes inside the image in image
    coordinates, 7x7 output, sampling ratio 2, aligned, spatial scale 1/16."""
    import torchvision
    torch.manual_seed(0)
    feats = torch.randn(1, 256, 50, 68, requires_grad=True)
    k = 512
    rois = random_rois(k, 800, 1088)

    def fwd():
        return torchvision.ops.roi_align(feats, rois, (7, 7), spatial_scale=1.0 / 16, sampling_ratio=2,
                                         aligned=True)

    with torch.no_grad():
        ms, _, _ = median_ms(fwd, a.repeat)
    fields = dict(framework="torch", op="roi_align", name="roi_align_512x256x7x7", threads=torch.get_num_threads(),
                  ms=ms)
    if a.backward:
        grad = torch.randn(k, 256, 7, 7)
        fields["ms_fwdbwd"], _, _ = median_ms(lambda: torch.autograd.grad(fwd(), feats, grad), a.repeat)
    emit(**fields)


def bench_ps_roi_align(a):
    """A Light-Head R-CNN thin feature map [1, 490, 50, 68] (10*7*7 channels, stride 16 of an 800x1088 image), 512
    random boxes as roi-align, 7x7 bins, sampling ratio 2, spatial scale 1/16 -> [512, 10, 7, 7]."""
    import torchvision
    torch.manual_seed(0)
    feats = torch.randn(1, 490, 50, 68, requires_grad=True)
    k = 512
    rois = random_rois(k, 800, 1088)

    def fwd():
        return torchvision.ops.ps_roi_align(feats, rois, (7, 7), spatial_scale=1.0 / 16, sampling_ratio=2)

    with torch.no_grad():
        ms, _, _ = median_ms(fwd, a.repeat)
    fields = dict(framework="torch", op="ps_roi_align", name="ps_roi_align_512x490x7x7",
                  threads=torch.get_num_threads(), ms=ms)
    if a.backward:
        grad = torch.randn(k, 10, 7, 7)
        fields["ms_fwdbwd"], _, _ = median_ms(lambda: torch.autograd.grad(fwd(), feats, grad), a.repeat)
    emit(**fields)


def bench_nms(a):
    """10 000 boxes: corner uniform in [0, 1000)^2, sides uniform in [10, 110); uniform scores; IoU 0.5."""
    import torchvision
    torch.manual_seed(0)
    k = 10_000
    xy = torch.rand(k, 2) * 1000
    boxes = torch.cat([xy, xy + 10 + torch.rand(k, 2) * 100], dim=1)
    scores = torch.rand(k)
    ms, _, _ = median_ms(lambda: torchvision.ops.nms(boxes, scores, 0.5), a.repeat)
    emit(framework="torch", op="nms", name="nms_10000_iou0.5", threads=torch.get_num_threads(), ms=ms)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("what", choices=["gemm", "conv", "resnet50", "roi-align", "ps-roi-align", "nms", "info"])
    ap.add_argument("--n", type=int, default=512)
    ap.add_argument("--m", type=int)
    ap.add_argument("--k", type=int)
    ap.add_argument("--dtype", default="f32", choices=["f32", "f64"])
    ap.add_argument("--preset", default="resnet50", choices=sorted(CONV_PRESETS))
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=10)
    ap.add_argument("--batch", type=int)
    ap.add_argument("--size", type=int, default=224)
    ap.add_argument("--train", action="store_true")
    ap.add_argument("--backward", action="store_true")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    if a.what == "info":
        import os
        import re
        cfg = torch.__config__.show()
        blas_info = re.search(r"BLAS_INFO=(\w+)", cfg)
        lib = os.path.realpath("/usr/lib/x86_64-linux-gnu/libblas.so.3")
        emit(framework="torch", version=torch.__version__, threads=torch.get_num_threads(),
             blas_info=blas_info.group(1) if blas_info else "?", libblas=lib,
             mkldnn="MKL-DNN" in cfg, openblas_coretype=os.environ.get("OPENBLAS_CORETYPE", "(auto)"))
    elif a.what == "gemm":
        bench_gemm(a)
    elif a.what == "resnet50":
        bench_resnet50(a)
    elif a.what == "roi-align":
        bench_roi_align(a)
    elif a.what == "ps-roi-align":
        bench_ps_roi_align(a)
    elif a.what == "nms":
        bench_nms(a)
    else:
        bench_conv(a)


if __name__ == "__main__":
    main()
