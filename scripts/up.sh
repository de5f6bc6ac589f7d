#!/usr/bin/env bash
# Installs what is missing, builds korvet, and starts what Korvet has so far (see README).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
dotnet publish src/Korvet -c Release -o out -nologo -v q
./out/korvet version
