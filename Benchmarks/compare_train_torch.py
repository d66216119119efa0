"""Detector training throughput, Scratch vs PyTorch (driver of Benchmarks/compare-train-torch.sh).

Each round runs, per detector, `scratch bench train DET --json` and then `torch_det_train.py DET --json` with the
same settings (one process each: --warmup untimed steps, default 10, so that .NET's tiered JIT has recompiled the hot
methods at full optimisation, then the median of --iters timed full SGD steps on one fixed synthetic batch). Reported per detector: the median over rounds of each side's per-run median ms/step
(min–max over rounds in brackets), images/s, parameter counts of both models (they must agree) and the ratio
PyTorch ms / Scratch ms (> 1: Scratch trains faster). FCOS is the target workload; BorderDet is informational (its
BorderAlign has no PyTorch CPU op: the twin gathers and takes maxima in plain torch ops).

The table goes into the "## Detector training throughput" section at the end of docs/benchmarks.md (replaced when
present; after "## Reading the table", which a full Benchmarks/compare-torch.sh run keeps) unless --no-write.
--omp-passive runs PyTorch with OMP_WAIT_POLICY=PASSIVE: on a machine loaded by other processes, OpenMP's spinning
barriers make multi-threaded PyTorch many times slower; on an idle machine leave it off (PyTorch's default).
"""
import argparse
import json
import os
import platform
import statistics
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCRATCH = [os.path.join(ROOT, "Samples", "Scratch.Cli", "bin", "Release", "net10.0", "scratch")]
TORCH = ["/usr/bin/python3", os.path.join(ROOT, "Benchmarks", "torch_det_train.py")]
TITLE = "## Detector training throughput"


def run(cmd, env=None):
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, env=env).stdout
    return [json.loads(line) for line in out.splitlines() if line.startswith("{")][-1]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--batch", type=int, default=2)
    ap.add_argument("--size", type=int, default=256)
    ap.add_argument("--iters", type=int, default=10)
    ap.add_argument("--warmup", type=int, default=10)
    ap.add_argument("--fpn-channels", type=int, default=64)
    ap.add_argument("--convs", type=int, default=2)
    ap.add_argument("--detectors", default="fcos,borderdet")
    ap.add_argument("--omp-passive", action="store_true")
    ap.add_argument("--note", default="", help="a sentence about the machine state, written under the table")
    ap.add_argument("--no-write", action="store_true")
    a = ap.parse_args()
    dets = [d for d in a.detectors.split(",") if d]
    bad = [d for d in dets if d not in ("fcos", "borderdet")]
    if bad:
        ap.error(f"--detectors: unknown {', '.join(bad)}; known: fcos, borderdet")
    common = ["--backbone", "resnet18", "--fpn-channels", str(a.fpn_channels), "--convs", str(a.convs),
              "--batch", str(a.batch), "--size", str(a.size), "--iters", str(a.iters), "--warmup", str(a.warmup),
              "--threads", str(a.threads), "--json"]
    env = dict(os.environ)
    if a.omp_passive:
        env["OMP_WAIT_POLICY"] = "PASSIVE"
    rows = {d: {"scratch": [], "torch": [], "params": {}} for d in dets}
    for rnd in range(a.rounds):
        print(f"round {rnd + 1}/{a.rounds}", file=sys.stderr)
        for d in dets:
            s = run(SCRATCH + ["bench", "train", d] + common)
            p = run(TORCH + [d] + common, env)
            rows[d]["scratch"].append(s["ms"])
            rows[d]["torch"].append(p["ms"])
            rows[d]["params"] = {"scratch": s["params"], "torch": p["params"]}
            print(f"  {d}: scratch {s['ms']:.1f} ms, torch {p['ms']:.1f} ms", file=sys.stderr)

    def fmt(xs):
        return f"{statistics.median(xs):.1f} ({min(xs):.1f}–{max(xs):.1f})"

    lines = ["| detector | parameters (Scratch / PyTorch) | Scratch ms/step (min–max) | PyTorch ms/step (min–max) | "
             "Scratch images/s | PyTorch images/s | ratio |",
             "|---|---|---|---|---|---|---|"]
    for d in dets:
        r = rows[d]
        s, p = statistics.median(r["scratch"]), statistics.median(r["torch"])
        ps, pt = r["params"]["scratch"], r["params"]["torch"]
        same = "" if ps == pt else " **differ**"
        label = d if d == "fcos" else f"{d} (informational)"
        lines.append(f"| {label} | {ps} / {pt}{same} | {fmt(r['scratch'])} | {fmt(r['torch'])} | "
                     f"{a.batch * 1000 / s:.2f} | {a.batch * 1000 / p:.2f} | {p / s:.2f}× |")
    table = "\n".join(lines)
    print(table)
    if a.no_write:
        return
    import torch
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
    dotnet = subprocess.run(["dotnet", "--version"], capture_output=True, text=True).stdout.strip()
    cmd = (f"Benchmarks/compare-train-torch.sh --rounds {a.rounds} --threads {a.threads} --batch {a.batch} "
           f"--size {a.size} --iters {a.iters} --warmup {a.warmup}" + (" --omp-passive" if a.omp_passive else ""))
    section = f"""{TITLE}

Command: `{cmd}`. One training step = forward, target assignment, losses, backward, gradient clipping (norm 5) and
SGD (momentum 0.9, weight decay 1e-4 except norm layers) on a fixed synthetic batch of {a.batch} images
{a.size}×{a.size} with 4 boxes each (data loading excluded); model: ResNet-18 with trainable BatchNorm, no frozen
stage, FPN P3–P7 with {a.fpn_channels} channels, {a.convs} GroupNorm convs per tower, 10 classes. Scratch:
`scratch bench train`; PyTorch: `Benchmarks/torch_det_train.py` (the same model, assignment and losses; BorderDet's
BorderAlign in plain torch ops, so BorderDet is informational). Each run takes the median of {a.iters} steps after
{a.warmup} warm-up steps; the table gives the median over {a.rounds} alternating rounds (min–max over rounds);
ratio = PyTorch ms / Scratch ms (> 1: Scratch trains faster).

Machine: {cpu}, {os.cpu_count()} logical CPUs, {platform.platform()}. PyTorch {torch.__version__},
{a.threads} threads{" (OMP_WAIT_POLICY=PASSIVE)" if a.omp_passive else ""}. Scratch: .NET {dotnet}, {a.threads} threads.
{(chr(10) + a.note + chr(10)) if a.note else ""}
{table}
"""
    path = os.path.join(ROOT, "docs", "benchmarks.md")
    old = open(path).read() if os.path.exists(path) else ""
    at = old.find(TITLE + "\n")
    if at >= 0:
        end = old.find("\n## ", at + len(TITLE))
        doc = old[:at] + section + (old[end:] if end >= 0 else "")
    else:
        doc = old.rstrip("\n") + "\n\n" + section
    with open(path, "w") as f:
        f.write(doc)
    print(f"wrote {path}", file=sys.stderr)


if __name__ == "__main__":
    main()
