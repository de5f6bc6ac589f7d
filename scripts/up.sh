#!/usr/bin/env bash
# Installs what is missing, builds korvet, starts a single-node cluster on the embedded SQLite store in the
# background, and applies the sample workload in examples/. Rerunning restarts the server on the same data.
# Environment: KORVET_DATA_DIR (default ./.korvet), KORVET_PORT (default 6443).
set -euo pipefail
cd "$(dirname "$0")/.."
data_dir="${KORVET_DATA_DIR:-$(pwd)/.korvet}"
port="${KORVET_PORT:-6443}"
bash scripts/install-deps.sh
dotnet publish src/Korvet -c Release -o out -nologo -v q
mkdir -p "$data_dir"
if [ -f "$data_dir/korvet.pid" ] && kill -0 "$(cat "$data_dir/korvet.pid")" 2>/dev/null; then
  kill "$(cat "$data_dir/korvet.pid")"
  while kill -0 "$(cat "$data_dir/korvet.pid")" 2>/dev/null; do sleep 0.1; done
fi
nohup ./out/korvet server --data-dir "$data_dir" --https-listen-port "$port" >"$data_dir/server.log" 2>&1 &
echo $! >"$data_dir/korvet.pid"
kubeconfig="$data_dir/kubeconfig.yaml"
for _ in $(seq 1 100); do
  [ -f "$kubeconfig" ] && curl -skf "https://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break
  sleep 0.1
done
kubectl_bin="$(dirname "$(readlink -f "$(command -v kubectl)")")/kubectl.1.32"
[ -x "$kubectl_bin" ] || kubectl_bin=kubectl
"$kubectl_bin" --kubeconfig "$kubeconfig" apply -f examples/hello.yaml
"$kubectl_bin" --kubeconfig "$kubeconfig" get all,configmaps -n hello
cat <<MSG

korvet server is running (pid $(cat "$data_dir/korvet.pid"), log $data_dir/server.log).
  export KUBECONFIG=$kubeconfig
  kubectl get all -n hello
Stop it with: kill \$(cat $data_dir/korvet.pid)
The controllers and the scheduler run in the server; the node agent that runs real containers is not built yet,
so the sample pods stay Pending ("no nodes available to schedule pods"). To watch them schedule and run on
simulated nodes instead: ./out/korvet server --data-dir /tmp/korvet-sim --https-listen-port 6444 --simulate-nodes 3
MSG
