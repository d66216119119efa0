#!/usr/bin/env bash
# Packs what Benchmarks/gpu-compare.sh needs on a GPU machine without .NET into Benchmarks/gpu/pack/ (ignored by
# git; travels with the working tree as an explicitly carried path): the .NET runtime of the local SDK
# (dotnet-rt.tar.xz: the dotnet host, host/fxr and shared/Microsoft.NETCore.App/<version>) and a Release publish of
# the CLI (publish/scratch.dll, framework-dependent).
set -euo pipefail
cd "$(dirname "$0")/../.."
PACK=Benchmarks/gpu/pack
SDK=$(dirname "$(readlink -f "$(command -v dotnet)")")
VERSION=$(dotnet --list-runtimes | awk '$1 == "Microsoft.NETCore.App" { v = $2 } END { print v }')
rm -rf "$PACK" && mkdir -p "$PACK"
tar -cJf "$PACK/dotnet-rt.tar.xz" -C "$SDK" dotnet host/fxr "shared/Microsoft.NETCore.App/$VERSION"
dotnet publish Samples/Scratch.Cli -c Release -o "$PACK/publish" -v q -nologo
du -sh "$PACK"/* >&2
