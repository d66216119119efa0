"""Side-by-side benchmark: runs each workload in Scratch (`scratch bench ... --json`) and in PyTorch
(`torch_bench.py`), alternating, several rounds, and prints a ratio table (Scratch throughput / PyTorch
throughput: > 1 means Scratch is faster). Writes docs/benchmarks.md with the machine description; a hand-written
"## Reading the table" section at the end of the existing file is kept.

Usage: Benchmarks/compare-torch.sh [--rounds 3] [--threads 2] [--only GROUP,GROUP...]

Groups: gemm, conv, resnet50, roi_align, ps_roi_align, border_align, nms (default: all). With --only the whole file
is not rewritten: the table goes into a "## Partial run: <groups>" section of docs/benchmarks.md (replacing one of
the same name, before "## Reading the table"). border_align has no PyTorch equivalent: Scratch ms only.
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
TORCH = ["/usr/bin/python3", os.path.join(ROOT, "Benchmarks", "torch_bench.py")]
# torch's OpenBLAS is benchmarked with its own kernel choice: these overrides (set on some machines for old
# OpenBLAS builds) would slow it, so they are dropped for the PyTorch runs only.
TORCH_ENV = {k: v for k, v in os.environ.items() if k not in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")}

READING = "## Reading the table"
GROUPS = ["gemm", "conv", "resnet50", "roi_align", "ps_roi_align", "border_align", "nms"]
GEMMS = [(256, 256, 256), (512, 512, 512), (1024, 1024, 1024), (2048, 2048, 2048), (64, 4096, 2304)]


def run(cmd, env=None):
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, env=env).stdout
    return [json.loads(line) for line in out.splitlines() if line.startswith("{")]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--only", default="", help="comma-separated groups: " + ", ".join(GROUPS))
    a = ap.parse_args()
    only = [g for g in a.only.split(",") if g]
    bad = [g for g in only if g not in GROUPS]
    if bad:
        ap.error(f"--only: unknown group(s) {', '.join(bad)}; known: {', '.join(GROUPS)}")
    want = set(only or GROUPS)
    t = str(a.threads)
    rows = {}  # key -> {"scratch": [ms...], "torch": [ms...], ...}

    def add(key, fw, ms, extra=None):
        r = rows.setdefault(key, {"scratch": [], "torch": [], "scratch_bwd": [], "torch_bwd": []})
        r[fw].append(ms)
        if extra is not None:
            r[fw + "_bwd"].append(extra)

    info = run(TORCH + ["info", "--threads", t], TORCH_ENV)[0]
    for rnd in range(a.rounds):
        print(f"round {rnd + 1}/{a.rounds}", file=sys.stderr)
        for m, n, k in (GEMMS if "gemm" in want else []):
            key = f"gemm {m}x{n}x{k}"
            s = run(SCRATCH + ["bench", "gemm", "--m", str(m), "--n", str(n), "--k", str(k), "--threads", t, "--json"])[0]
            add(key, "scratch", s["ms"])
            p = run(TORCH + ["gemm", "--m", str(m), "--n", str(n), "--k", str(k), "--threads", t], TORCH_ENV)[0]
            add(key, "torch", p["ms"])
        for preset in (("resnet50", "detection") if "conv" in want else ()):
            for s in run(SCRATCH + ["bench", "conv", "--preset", preset, "--threads", t, "--json"]):
                add("conv " + s["name"], "scratch", s["ms"], s["ms_fwdbwd"])
            for p in run(TORCH + ["conv", "--preset", preset, "--threads", t], TORCH_ENV):
                add("conv " + p["name"], "torch", p["ms"], p["ms_fwdbwd"])
        for train, batch in (((False, 1), (True, 2)) if "resnet50" in want else ()):
            key = f"resnet50 {'train' if train else 'eval'} b{batch}@224"
            flag = ["--train"] if train else []
            s = run(SCRATCH + ["bench", "resnet50", "--batch", str(batch), "--size", "224", *flag, "--runs", "5",
                               "--threads", t, "--json"])[0]
            add(key, "scratch", s["ms"])
            p = run(TORCH + ["resnet50", "--batch", str(batch), "--size", "224", *flag, "--repeat", "5",
                             "--threads", t], TORCH_ENV)[0]
            add(key, "torch", p["ms"])
        for group, verb in (("roi_align", "roi-align"), ("ps_roi_align", "ps-roi-align")):
            if group in want:
                s = run(SCRATCH + ["bench", verb, "--backward", "--threads", t, "--json"])[0]
                add(s["name"], "scratch", s["ms"], s["ms_fwdbwd"])
                p = run(TORCH + [verb, "--backward", "--threads", t], TORCH_ENV)[0]
                add(p["name"], "torch", p["ms"], p["ms_fwdbwd"])
        if "border_align" in want:
            s = run(SCRATCH + ["bench", "border-align", "--backward", "--threads", t, "--json"])[0]
            add(s["name"], "scratch", s["ms"], s["ms_fwdbwd"])
        if "nms" in want:
            s = run(SCRATCH + ["bench", "nms", "--threads", t, "--json"])[0]
            add(s["name"], "scratch", s["ms"])
            p = run(TORCH + ["nms", "--threads", t], TORCH_ENV)[0]
            add(p["name"], "torch", p["ms"])

    def fmt(xs):
        if not xs:
            return "—", None
        med = statistics.median(xs)
        return f"{med:.3f} ({min(xs):.3f}–{max(xs):.3f})", med

    lines = ["| workload | Scratch ms (min–max) | PyTorch ms (min–max) | ratio fwd | Scratch fwd+bwd ms | "
             "PyTorch fwd+bwd ms | ratio fwd+bwd |",
             "|---|---|---|---|---|---|---|"]
    for key, r in rows.items():
        s_txt, s = fmt(r["scratch"])
        p_txt, p = fmt(r["torch"])
        ratio = f"{p / s:.2f}×" if s and p else "—"
        sb, pb = (statistics.median(r["scratch_bwd"]) if r["scratch_bwd"] else None,
                  statistics.median(r["torch_bwd"]) if r["torch_bwd"] else None)
        ratio_b = f"{pb / sb:.2f}×" if sb and pb else "—"
        sb_txt, pb_txt = (f"{sb:.3f}" if sb else "—"), (f"{pb:.3f}" if pb else "—")
        lines.append(f"| {key} | {s_txt} | {p_txt} | {ratio} | {sb_txt} | {pb_txt} | {ratio_b} |")
    table = "\n".join(lines)
    print(table)
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
    machine = f"""Machine: {cpu}, {os.cpu_count()} logical CPUs, {platform.platform()}.
PyTorch {info['version']} (BLAS_INFO={info['blas_info']}, libblas → `{info['libblas']}`, oneDNN={info['mkldnn']}),
{info['threads']} threads. Scratch: .NET {subprocess.run(['dotnet', '--version'], capture_output=True, text=True).stdout.strip()},
{a.threads} threads."""
    path = os.path.join(ROOT, "docs", "benchmarks.md")
    old = open(path).read() if os.path.exists(path) else ""
    if only:
        title = f"## Partial run: {', '.join(only)}"
        section = f"""{title}

Command: `Benchmarks/compare-torch.sh --rounds {a.rounds} --threads {a.threads} --only {a.only}` (same conventions
as the table above). {machine}

{table}
"""
        at = old.find(title + "\n")
        if at >= 0:
            end = old.find("\n## ", at + len(title))
            doc = old[:at] + section + (old[end:] if end >= 0 else "")
        else:
            at = old.find(READING)
            doc = (old[:at] + section + "\n" + old[at:]) if at >= 0 else old + "\n" + section
    else:
        doc = f"""# Benchmarks: Scratch vs PyTorch on the same machine

Command: `Benchmarks/compare-torch.sh --rounds {a.rounds} --threads {a.threads}` (workloads alternate between the two
frameworks; medians over the rounds, min–max in brackets; ratio = PyTorch time / Scratch time, so > 1 means Scratch
is faster).

{machine}

{table}
"""
        at = old.find(READING)
        if at >= 0:
            doc += "\n" + old[at:]
    with open(path, "w") as f:
        f.write(doc)


if __name__ == "__main__":
    main()
