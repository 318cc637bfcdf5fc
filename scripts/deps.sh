#!/usr/bin/env bash
# Installs the Debian packages nnlab needs that are missing (as root, or through sudo).
# Usage: scripts/deps.sh [extra packages...]
set -euo pipefail
packages=(make g++ cmake pkg-config libeigen3-dev libcli11-dev nlohmann-json3-dev libfmt-dev
  zlib1g-dev libpcg-cpp-dev libsleef-dev libgtest-dev libbenchmark-dev gnuplot-nox dataset-fashion-mnist
  libopenmpi-dev openmpi-bin
  python3 python3-sklearn python3-dev pybind11-dev python3-numpy python3-pytest python3-matplotlib
  jupyter-nbconvert python3-ipykernel "$@")
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
((${#missing[@]} == 0)) && exit 0
echo "nnlab: installing missing packages: ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
