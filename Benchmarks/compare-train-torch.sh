#!/usr/bin/env bash
# Detector training throughput, Scratch vs PyTorch 1.13 on the CPU: alternates `scratch bench train` and
# Benchmarks/torch_det_train.py (the same model, batch, losses and optimizer) for FCOS and BorderDet, prints a ratio
# table and writes the "## Detector training throughput" section of docs/benchmarks.md.
# Usage: Benchmarks/compare-train-torch.sh [--rounds R] [--threads T] [--batch B] [--size S] [--iters N] [--warmup N]
#        [--detectors fcos,borderdet] [--fpn-channels C] [--convs N] [--omp-passive] [--note TEXT] [--no-write]
set -euo pipefail
cd "$(dirname "$0")/.."
if ! /usr/bin/python3 -c "import torch, torchvision" 2>/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-torch python3-torchvision libopenblas0
fi
dotnet build Samples/Scratch.Cli -c Release -v q -nologo >/dev/null
exec /usr/bin/python3 Benchmarks/compare_train_torch.py "$@"
