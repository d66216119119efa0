"""PyTorch side of the side-by-side benchmark: prints one JSON object per line, in the same fields as
`scratch bench ... --json` (op, name, shape, threads, ms, gflops).

Usage: /usr/bin/python3 Benchmarks/torch_bench.py gemm --n 512 [--m M --k K] [--threads 2] [--repeat 10]
       /usr/bin/python3 Benchmarks/torch_bench.py conv --preset resnet50 [--threads 2]
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


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("what", choices=["gemm", "conv", "info"])
    ap.add_argument("--n", type=int, default=512)
    ap.add_argument("--m", type=int)
    ap.add_argument("--k", type=int)
    ap.add_argument("--dtype", default="f32", choices=["f32", "f64"])
    ap.add_argument("--preset", default="resnet50", choices=sorted(CONV_PRESETS))
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=10)
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
    else:
        bench_conv(a)


if __name__ == "__main__":
    main()
