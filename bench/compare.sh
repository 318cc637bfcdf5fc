#!/usr/bin/env bash
# `make bench`: nnlab vs PyTorch on the workloads of docs/benchmarks.md, one table of medians and
# ratios. Builds nothing (expects build/release, or --build DIR); PyTorch is optional.
set -euo pipefail
exec python3 "$(dirname "$0")/compare.py" "$@"
