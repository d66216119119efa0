#!/usr/bin/env bash
# GPU side-by-side: Scratch (ILGPU, CUDA) against PyTorch (CUDA), alternating per workload, one call on a GPU machine
# that has the NVIDIA driver and PyTorch but no .NET. Run from the repository root after Benchmarks/gpu/pack.sh
# (on a machine with the .NET SDK) put the runtime and the published CLI into Benchmarks/gpu/pack/:
#
#   Benchmarks/gpu-compare.sh [--out FILE.md] [--rounds R] [--device cuda|ilgpu-cpu] [--tiny] [--only REGEX]
#
# Workloads: SGEMM 4096 fp32 (TF32 off), tensor-core GEMM 4096 in TF32, BF16 and F16 (Scratch: fp32 tensors rounded
# on the GPU as they are staged; PyTorch: bf16/f16 tensors), add on 2^28 floats, conv3x3 256→256 batch 8 @ 56 (fwd and fwd+bwd), roi_align (torchvision CUDA, fwd and
# fwd+bwd), a ResNet-50 training step batch 32 @ 224. --tiny shrinks every workload so the whole script runs on a
# CPU-only machine (Scratch on ILGPU's CPU accelerator, PyTorch on the CPU) as an end-to-end check.
# Output: raw JSON lines next to the table, the markdown table in FILE.md (default $OUT/gpu-benchmarks.md when $OUT
# is set, else docs/gpu-benchmarks.md).
set -uo pipefail
cd "$(dirname "$0")/.."
PACK=Benchmarks/gpu/pack
DEVICE=cuda
ROUNDS=3
TINY=0
ONLY=.
MD=${OUT:+$OUT/gpu-benchmarks.md}
MD=${MD:-docs/gpu-benchmarks.md}
while [ $# -gt 0 ]; do
  case "$1" in
    --out) MD=$2; shift 2 ;;
    --rounds) ROUNDS=$2; shift 2 ;;
    --device) DEVICE=$2; shift 2 ;;
    --tiny) TINY=1; shift ;;
    --only) ONLY=$2; shift 2 ;;
    *) echo "gpu-compare.sh: unknown argument '$1'" >&2; exit 2 ;;
  esac
done

export DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1
if [ -f "$PACK/dotnet-rt.tar.xz" ]; then
  rm -rf /tmp/dn && mkdir -p /tmp/dn && tar -xJf "$PACK/dotnet-rt.tar.xz" -C /tmp/dn
  export DOTNET_ROOT=/tmp/dn
  DOTNET=/tmp/dn/dotnet
  SCRATCH=$PACK/publish/scratch.dll
else
  # No pack: a machine with the SDK (the local end-to-end check).
  DOTNET=dotnet
  SCRATCH=Samples/Scratch.Cli/bin/Release/net10.0/scratch.dll
fi
PY=${PYTHON:-python3}
case "$DEVICE" in cuda*) TDEV=cuda ;; *) TDEV=cpu ;; esac
RESULTS=${MD%.md}.jsonl
: > "$RESULTS"

if [ "$TINY" = 1 ]; then
  G=64; A=4096; CONV="--batch 1 --cin 4 --cout 4 --size 8"; ROI="--rois 4 --cin 2"; RES="--batch 2 --size 32"; R=2
else
  G=4096; A=268435456; CONV="--batch 8 --cin 256 --cout 256 --size 56"; ROI="--rois 512 --cin 256"
  RES="--batch 32 --size 224"; R=11
fi
# label | scratch arguments | torch arguments ("-" = that side has no such workload)
WORKLOADS=(
  "sgemm_fp32_$G|gemm --n $G --runs $R|gemm --n $G --repeat $R"
  "gemm_tf32_$G|gemm --n $G --tf32 --runs $R|gemm --n $G --tf32 --repeat $R"
  "gemm_bf16_$G|gemm --n $G --bf16 --runs $R|gemm --n $G --bf16 --repeat $R"
  "gemm_f16_$G|gemm --n $G --f16 --runs $R|gemm --n $G --f16 --repeat $R"
  "add_$A|add --n $A --runs $R|add --n $A --repeat $R"
  "conv3x3|conv $CONV --kernel 3 --runs $R|conv $CONV --kernel 3 --repeat $R"
  "roi_align|roi-align $ROI --backward --runs $R|roi-align $ROI --backward --repeat $R"
  "resnet50_train|resnet50 --train $RES --runs 5|resnet50 --train $RES --repeat 5"
)

tag() { sed "s/^{/{\"workload\":\"$1\",/"; }
for w in "${WORKLOADS[@]}"; do
  IFS='|' read -r label sargs targs <<< "$w"
  [[ $label =~ $ONLY ]] || continue
  for ((r = 1; r <= ROUNDS; r++)); do
    if [ "$sargs" != "-" ]; then
      echo "== scratch $label (round $r)" >&2
      # shellcheck disable=SC2086
      if out=$("$DOTNET" "$SCRATCH" bench $sargs --device "$DEVICE" --json 2>/tmp/gpu-compare.err); then
        echo "$out" | grep '^{' | tail -1 | tag "$label" >> "$RESULTS"
      else
        msg=$( (grep -m1 -E "Exception|Error" /tmp/gpu-compare.err || tail -1 /tmp/gpu-compare.err) | tr -d '"\\' | cut -c1-300)
        echo "{\"workload\":\"$label\",\"framework\":\"scratch\",\"error\":\"$msg\"}" >> "$RESULTS"
      fi
    fi
    if [ "$targs" != "-" ]; then
      echo "== torch $label (round $r)" >&2
      # shellcheck disable=SC2086
      if out=$("$PY" Benchmarks/gpu_compare_torch.py $targs --device "$TDEV" 2>/tmp/gpu-compare.err); then
        echo "$out" | grep '^{' | tail -1 | tag "$label" >> "$RESULTS"
      else
        msg=$( (grep -m1 -E "Exception|Error" /tmp/gpu-compare.err || tail -1 /tmp/gpu-compare.err) | tr -d '"\\' | cut -c1-300)
        echo "{\"workload\":\"$label\",\"framework\":\"torch\",\"error\":\"$msg\"}" >> "$RESULTS"
      fi
    fi
  done
done
"$PY" Benchmarks/gpu_compare_torch.py summarize "$RESULTS" "$MD"
echo "wrote $MD and $RESULTS" >&2
