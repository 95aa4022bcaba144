#!/usr/bin/env bash
# Lint every ODCS data contract (*.odcs.yaml) under examples/ with
# datacontract-cli (https://cli.datacontract.com), the reference tool of the
# Open Data Contract Standard: Sextant reads the same files, so they must stay
# valid ODCS.
#
# Usage: scripts/check-contracts.sh
#   DATACONTRACT=/path/to/venv scripts/check-contracts.sh   # a venv with datacontract-cli
#   DATACONTRACT=/path/to/datacontract scripts/check-contracts.sh
#
# Install: python3 -m venv /tmp/dcvenv && /tmp/dcvenv/bin/pip install datacontract-cli
# Without datacontract-cli the check is skipped (exit 0). Exits 1 if any
# contract fails to lint.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

dc=""
if [[ -n "${DATACONTRACT:-}" ]]; then
  if [[ -f "$DATACONTRACT" && -x "$DATACONTRACT" ]]; then
    dc="$DATACONTRACT"
  elif [[ -x "$DATACONTRACT/bin/datacontract" ]]; then
    dc="$DATACONTRACT/bin/datacontract"
  else
    echo "DATACONTRACT=$DATACONTRACT is neither a datacontract executable nor a venv containing bin/datacontract" >&2
    exit 2
  fi
elif command -v datacontract >/dev/null 2>&1; then
  dc="$(command -v datacontract)"
fi

if [[ -z "$dc" ]]; then
  echo "datacontract-cli not installed; skipping"
  exit 0
fi

cd "$root"
contracts=()
while IFS= read -r -d '' f; do
  contracts+=("$f")
done < <(find examples -type f -name '*.odcs.yaml' -print0 | sort -z)

if [[ ${#contracts[@]} -eq 0 ]]; then
  echo "no *.odcs.yaml contracts under examples/"
  exit 0
fi

echo "using $dc ($("$dc" --version 2>/dev/null || echo 'unknown version'))"
failed=0
for f in "${contracts[@]}"; do
  echo "== datacontract lint $f"
  if ! "$dc" lint "$f"; then
    echo "FAILED: $f" >&2
    failed=1
  fi
done

if [[ $failed -ne 0 ]]; then
  echo "some data contracts failed to lint" >&2
  exit 1
fi
echo "all ${#contracts[@]} data contract(s) pass datacontract lint"
