#!/usr/bin/env python3
"""PyTorch side of Benchmarks/gpu-compare.sh, and its report.

  gpu_compare_torch.py WORKLOAD [options] --device cuda|cpu   one JSON line, same names as `scratch bench ... --json`
  gpu_compare_torch.py summarize RESULTS.jsonl OUT.md         median per (side, name) over rounds, ratio table

Timing: warm-up runs, then the median of --repeat runs, each ended by torch.cuda.synchronize() on CUDA.
fp32 workloads run with TF32 off (torch.backends.cuda.matmul.allow_tf32 = cudnn.allow_tf32 = False) so they
compare with Scratch's IEEE fp32 kernels; `gemm --tf32` turns TF32 on, `gemm --bf16` / `--f16` run bfloat16 / float16
operands (Scratch's tensor-core GEMM reads fp32 tensors and rounds them to the format on the GPU).
"""
import argparse
import json
import statistics
import sys
import time

def sync(dev):
    import torch
    if dev.type == "cuda":
        torch.cuda.synchronize()

def median_ms(fn, dev, repeat, warmup=3):
    for _ in range(warmup):
        fn()
    sync(dev)
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        sync(dev)
        times.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(times)

def card(dev):
    import torch
    return torch.cuda.get_device_name(dev) if dev.type == "cuda" else "cpu"

def run(a):
    import torch
    dev = torch.device(a.device)
    torch.backends.cuda.matmul.allow_tf32 = bool(a.tf32)
    torch.backends.cudnn.allow_tf32 = False
    torch.backends.cudnn.benchmark = True
    g = torch.Generator().manual_seed(0)
    out = {"framework": "torch", "op": a.what, "device": str(dev), "card": card(dev)}
    if a.what == "gemm":
        m, k = a.m or a.n, a.k or a.n
        dtype = (torch.bfloat16 if a.bf16 else torch.float16 if a.f16 else torch.float64 if a.dtype == "f64"
                 else torch.float32)
        x = torch.randn(m, k, generator=g).to(dev, dtype)
        y = torch.randn(k, a.n, generator=g).to(dev, dtype)
        ms = median_ms(lambda: torch.matmul(x, y), dev, a.repeat)
        kind = ("bf16" if a.bf16 else "f16" if a.f16 else "tf32" if a.tf32
                else "float64" if a.dtype == "f64" else "float32")
        out.update(name=f"gemm_{kind}_{m}x{a.n}x{k}", ms=ms, gflops=2.0 * m * a.n * k / (ms * 1e6))
    elif a.what == "add":
        x = torch.randn(a.n, generator=g).to(dev)
        y = torch.randn(a.n, generator=g).to(dev)
        ms = median_ms(lambda: x + y, dev, a.repeat)
        out.update(name=f"add_{a.n}", ms=ms, gbps=12.0 * a.n / (ms * 1e6))
    elif a.what == "conv":
        b, s, kk = a.batch or 8, a.size, a.kernel
        x = torch.randn(b, a.cin, s, s, generator=g).to(dev).requires_grad_()
        w = torch.randn(a.cout, a.cin, kk, kk, generator=g).to(dev).requires_grad_()
        fwd = lambda: torch.nn.functional.conv2d(x, w, None, 1, kk // 2)
        with torch.no_grad():
            ms = median_ms(fwd, dev, a.repeat)
        gy = torch.randn(b, a.cout, s, s, generator=g).to(dev)
        def both():
            x.grad = None
            w.grad = None
            fwd().backward(gy)
        out.update(name=f"conv{kk}x{kk}_{a.cin}_{a.cout}_b{b}_{s}", ms=ms, ms_fwdbwd=median_ms(both, dev, a.repeat),
                   gflops=2.0 * b * a.cout * s * s * a.cin * kk * kk / (ms * 1e6))
    elif a.what == "roi-align":
        from torchvision.ops import roi_align
        feats = torch.randn(1, a.cin, 50, 68, generator=g).to(dev).requires_grad_()
        r = torch.rand(a.rois, 4, generator=g)
        xs, _ = torch.sort(r[:, [0, 2]] * 1088, dim=1)
        ys, _ = torch.sort(r[:, [1, 3]] * 800, dim=1)
        rois = torch.stack([torch.zeros(a.rois), xs[:, 0], ys[:, 0], xs[:, 1], ys[:, 1]], 1).to(dev)
        fwd = lambda: roi_align(feats, rois, 7, 1.0 / 16, 2, True)
        with torch.no_grad():
            ms = median_ms(fwd, dev, a.repeat)
        out.update(name=f"roi_align_{a.rois}x{a.cin}x7x7", ms=ms)
        if a.backward:
            gy = torch.randn(a.rois, a.cin, 7, 7, generator=g).to(dev)
            def both():
                feats.grad = None
                fwd().backward(gy)
            out["ms_fwdbwd"] = median_ms(both, dev, a.repeat)
    elif a.what == "resnet50":
        import torchvision
        b = a.batch or (32 if a.train else 1)
        model = torchvision.models.resnet50().to(dev)
        x = torch.randn(b, 3, a.size, a.size, generator=g).to(dev)
        if a.train:
            model.train()
            target = (torch.arange(b) * 37 % 1000).to(dev)
            opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
            def step():
                loss = torch.nn.functional.cross_entropy(model(x), target)
                loss.backward()
                opt.step()
                opt.zero_grad()
            ms = median_ms(step, dev, a.repeat, warmup=2)
        else:
            model.eval()
            with torch.no_grad():
                ms = median_ms(lambda: model(x), dev, a.repeat, warmup=2)
        out.update(name=f"resnet50_{'train' if a.train else 'eval'}_b{b}_{a.size}", ms=ms)
    print(json.dumps(out))

# The GPU issue's targets: Scratch speed as a fraction of PyTorch's on the same card (f16 has none: informational).
TARGETS = [("sgemm_fp32", 0.7), ("gemm_tf32", 0.5), ("gemm_bf16", 0.5), ("add_", 0.9), ("conv3x3", 0.5),
           ("roi_align", 1.0), ("resnet50_train", 0.5)]


def summarize(results, out_md):
    rows = {}
    cards = {}
    for line in open(results):
        line = line.strip()
        if not line.startswith("{"):
            continue
        r = json.loads(line)
        key = r.get("workload", r.get("name"))
        side = r["framework"]
        rows.setdefault(key, {}).setdefault(side, []).append(r)
        if r.get("card"):
            cards[side] = r["card"]
    med = lambda rs, f: statistics.median([r[f] for r in rs if f in r]) if any(f in r for r in rs) else None
    lines = [f"Scratch on {cards.get('scratch', '?')}; PyTorch on {cards.get('torch', '?')}. Medians over the "
             "alternating rounds of each side's median time; speed = PyTorch ms / Scratch ms (above 1 = Scratch "
             "faster), against the target of each workload. check: Scratch's result against the host on sampled "
             "entries (largest error relative to the sum of |terms|; ok below 1e-4).", "",
             "| workload | Scratch ms | PyTorch ms | speed | target | Scratch fwd+bwd ms | PyTorch fwd+bwd ms "
             "| speed fwd+bwd | check |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---|"]
    fmt = lambda v: "n/a" if v is None else f"{v:.3f}"
    speed = lambda s, t: "n/a" if s is None or t is None or s == 0 else f"{t / s:.2f}×"
    for key, sides in rows.items():
        s, t = sides.get("scratch", []), sides.get("torch", [])
        sm, tm = med(s, "ms"), med(t, "ms")
        sb, tb = med(s, "ms_fwdbwd"), med(t, "ms_fwdbwd")
        target = next((f"≥ {v}×" for prefix, v in TARGETS if key.startswith(prefix)), "")
        checks = [r for r in s if "check" in r]
        worst = max((r["check_err"] for r in checks), default=None)
        check = "" if worst is None else ("ok" if all(r["check"] == "ok" for r in checks) else "FAIL") + f" ({worst:.1e})"
        lines.append(f"| {key} | {fmt(sm)} | {fmt(tm)} | {speed(sm, tm)} | {target} | {fmt(sb)} | {fmt(tb)} "
                     f"| {speed(sb, tb)} | {check} |")
    errors = [f"- {k} ({side}): {r['error']}" for k, sides in rows.items() for side, rs in sides.items()
              for r in rs if "error" in r]
    if errors:
        lines += ["", "Failed runs:", ""] + sorted(set(errors))
    open(out_md, "w").write("\n".join(lines) + "\n")
    print("\n".join(lines))

def main():
    if len(sys.argv) > 1 and sys.argv[1] == "summarize":
        summarize(sys.argv[2], sys.argv[3])
        return
    ap = argparse.ArgumentParser()
    ap.add_argument("what", choices=["gemm", "add", "conv", "roi-align", "resnet50"])
    ap.add_argument("--device", default="cuda")
    ap.add_argument("--n", type=int, default=4096)
    ap.add_argument("--m", type=int)
    ap.add_argument("--k", type=int)
    ap.add_argument("--dtype", default="f32", choices=["f32", "f64"])
    ap.add_argument("--tf32", action="store_true")
    ap.add_argument("--bf16", action="store_true")
    ap.add_argument("--f16", action="store_true")
    ap.add_argument("--batch", type=int)
    ap.add_argument("--cin", type=int, default=256)
    ap.add_argument("--cout", type=int, default=256)
    ap.add_argument("--size", type=int, default=56)
    ap.add_argument("--kernel", type=int, default=3)
    ap.add_argument("--rois", type=int, default=512)
    ap.add_argument("--train", action="store_true")
    ap.add_argument("--backward", action="store_true")
    ap.add_argument("--repeat", type=int, default=11)
    run(ap.parse_args())

if __name__ == "__main__":
    main()
