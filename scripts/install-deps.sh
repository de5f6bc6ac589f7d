#!/usr/bin/env bash
# Installs the Debian packages Korvet's build, tests and cluster need, only when some are missing (gcc, libc6-dev,
# binutils and zlib1g-dev link the Native AOT `korvet` that `dotnet publish src/Korvet` makes).
# Safe to run again; needs root (CI and the developer machines run as root).
set -euo pipefail
packages=(curl gcc libc6-dev binutils zlib1g-dev etcd-server etcd-client runc iproute2 iptables nftables conntrack docker-registry skopeo umoci busybox-static)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
command -v dotnet >/dev/null || { echo "dotnet SDK 10 is required (it ships on this machine kind)" >&2; exit 1; }
