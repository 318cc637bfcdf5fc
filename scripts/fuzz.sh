#!/bin/sh
# Fuzzes nnlab's file readers with libFuzzer under AddressSanitizer and UndefinedBehaviorSanitizer
# (CMake preset "fuzz"; clang from Debian: scripts/deps.sh clang). Usage: scripts/fuzz.sh [SECONDS] [READER...]
# (default 60 s each; readers: csv idx npy npz safetensors recipe). Starts from the seeds of
# scripts/fuzz_corpus.py and the corpus grown by earlier runs (build/fuzz/corpus/<reader>);
# a finding (the input that crashed) is saved in build/fuzz/findings/<reader>/. Exit 1 if any.
set -eu
seconds=${1:-60}
[ $# -gt 0 ] && shift
readers=${*:-csv idx npy npz safetensors recipe}
root=$(cd "$(dirname "$0")/.." && pwd)
build=$root/build/fuzz
cmake --preset fuzz >/dev/null
targets=""
for r in $readers; do targets="$targets fuzz_$r"; done
# shellcheck disable=SC2086
cmake --build "$build" -j2 --target $targets >/dev/null
python3 "$root/scripts/fuzz_corpus.py" "$build/seeds"
status=0
for r in $readers; do
  mkdir -p "$build/corpus/$r" "$build/findings/$r"
  log=$build/findings/$r.log
  if "$build/fuzz/fuzz_$r" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
      -print_final_stats=1 -artifact_prefix="$build/findings/$r/" "$build/corpus/$r" "$build/seeds/$r" \
      >"$log" 2>&1; then
    result=ok
  else
    result="FINDING (see $log and $build/findings/$r/)"
    status=1
  fi
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1)
  echo "$r: $result; ${runs:-?} executions in $seconds s, $cov, corpus $(ls "$build/corpus/$r" | wc -l) files"
done
exit $status
