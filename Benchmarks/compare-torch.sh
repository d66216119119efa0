#!/usr/bin/env bash
# Runs the same workloads in Scratch and in Debian's PyTorch 1.13 (OpenBLAS + oneDNN), alternating, and writes
# docs/benchmarks.md. Installs the PyTorch side with apt when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! /usr/bin/python3 -c "import torch" 2>/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-torch python3-torchvision libopenblas0
fi
dotnet build Samples/Scratch.Cli -c Release -v q -nologo
exec /usr/bin/python3 Benchmarks/compare_torch.py "$@"
