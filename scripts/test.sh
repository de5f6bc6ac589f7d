#!/usr/bin/env bash
# Runs Korvet's whole test suite and prints a final "N passed, N failed" line.
# Exit status is non-zero when any test fails or a test project does not build.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/install-helm.sh
results_dir="$(pwd)/TestResults"
rm -rf "$results_dir"
mkdir -p "$results_dir"
dotnet build Korvet.slnx -c Release -nologo -v q || { echo "0 passed, 1 failed"; exit 1; }
status=0
for project in tests/*/*Tests.csproj; do
  name="$(basename "$project" .csproj)"
  echo "=== $name"
  dotnet test "$project" -c Release --no-build -nologo \
    --logger "trx;LogFileName=$name.trx" --logger "console;verbosity=minimal" \
    --results-directory "$results_dir" || status=1
done
# The shipped binary: `korvet` published as Native AOT, then the API server's tests (kubectl acceptance included) and
# the whole-cluster tests again against that executable (tests/Korvet.TestSupport/ExternalServer.cs), so code that
# only breaks without a JIT cannot pass unnoticed. NodeFailure needs controller timings with no command-line form.
published="$(mktemp -d)"
echo "=== publish src/Korvet (Native AOT)"
if dotnet publish src/Korvet -c Release -o "$published" -nologo -v q; then
  for project in tests/Korvet.ApiServer.Tests/Korvet.ApiServer.Tests.csproj tests/Korvet.IntegrationTests/Korvet.IntegrationTests.csproj; do
    name="$(basename "$project" .csproj).Published"
    echo "=== $name (KORVET_TEST_BINARY=$published/korvet)"
    KORVET_TEST_BINARY="$published/korvet" dotnet test "$project" -c Release --no-build -nologo \
      --filter "FullyQualifiedName!~NodeFailure" \
      --logger "trx;LogFileName=$name.trx" --logger "console;verbosity=minimal" \
      --results-directory "$results_dir" || status=1
  done
else
  echo "publishing src/Korvet failed"
  status=1
fi
rm -rf "$published"
passed=0; failed=0; skipped=0
for trx in "$results_dir"/*.trx; do
  [ -f "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")
  f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
  t=$(sed -n 's/.* total="\([0-9]*\)".*/\1/p' <<<"$counters")
  e=$(sed -n 's/.* executed="\([0-9]*\)".*/\1/p' <<<"$counters")
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0})); skipped=$((skipped + ${t:-0} - ${e:-0}))
done
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
echo "$passed passed, $failed failed, $skipped skipped"
exit $status
