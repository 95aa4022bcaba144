#!/usr/bin/env bash
# Compare verdicts on the ODCS contract corpus in scripts/contract-cases/.
#
# Each case directory holds contract.odcs.yaml (one schema `t`, a `local`/`csv`
# server whose path is `data.csv`), data.csv and expected.json:
#   {"passed": bool,            # what `datacontract test` decided (exit code 0)
#    "result": "passed|failed|warning",
#    "failed_checks": ["<datacontract check key>: <reason>", ...],
#    "warnings": [...], "ignored": [...], "note": "...",   # optional
#    "upstream_quirk": true}    # optional: datacontract-cli's verdict comes from
#                               # a bug or lenient reading (see the note)
# The semantics behind the cases: docs/research/datacontract-test-semantics.md.
#
# What it runs, for every case (in the case's directory, because datacontract
# resolves the server path `data.csv` against the working directory):
#   1. datacontract-cli, when installed: `datacontract test contract.odcs.yaml`;
#      the case matches when its exit code (0 = passed) equals "passed" AND the
#      keys of its failed checks equal those in "failed_checks".
#   2. Sextant, when SEXTANT_CHECK is set: `$SEXTANT_CHECK <contract> <csv>`,
#      with absolute paths, in the case directory. SEXTANT_CHECK is split on
#      blanks (no shell quoting), e.g. SEXTANT_CHECK=".build/debug/sextant check".
#      Exit code 0 means the data passes, 1 that it fails, anything else is a
#      mismatch. The case matches when that verdict equals "passed". A mismatch
#      on a case marked upstream_quirk is reported but not counted, unless
#      SEXTANT_STRICT=1.
#
# Usage: scripts/compare-contract-verdicts.sh [CASE...]
#   DATACONTRACT=/path/to/venv-or-datacontract-executable   (default: /tmp/dcvenv,
#                                                           then `datacontract` on PATH)
#   SEXTANT_CHECK="<command>"   also compare Sextant's verdicts
#   SEXTANT_ONLY=1              skip datacontract-cli even if installed
# Install: python3 -m venv /tmp/dcvenv && /tmp/dcvenv/bin/pip install 'datacontract-cli[csv]'
# Exits 0 when every compared verdict matches, 1 otherwise; when neither
# datacontract-cli nor SEXTANT_CHECK is available it prints why and exits 0.
set -uo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cases_dir="$root/scripts/contract-cases"

dc=""
if [[ -z "${SEXTANT_ONLY:-}" ]]; then
  if [[ -n "${DATACONTRACT:-}" ]]; then
    if [[ -f "$DATACONTRACT" && -x "$DATACONTRACT" ]]; then
      dc="$DATACONTRACT"
    elif [[ -x "$DATACONTRACT/bin/datacontract" ]]; then
      dc="$DATACONTRACT/bin/datacontract"
    else
      echo "DATACONTRACT=$DATACONTRACT is neither a datacontract executable nor a venv containing bin/datacontract" >&2
      exit 2
    fi
  elif [[ -x /tmp/dcvenv/bin/datacontract ]]; then
    dc=/tmp/dcvenv/bin/datacontract
  elif command -v datacontract >/dev/null 2>&1; then
    dc="$(command -v datacontract)"
  fi
fi

if [[ -z "$dc" && -z "${SEXTANT_CHECK:-}" ]]; then
  echo "datacontract-cli not installed (or SEXTANT_ONLY set) and SEXTANT_CHECK not set; skipping contract verdict comparison"
  exit 0
fi

py=""
for candidate in python3 "$(dirname "${dc:-/nonexistent}")/python"; do
  if command -v "$candidate" >/dev/null 2>&1; then py="$candidate"; break; fi
done
if [[ -z "$py" ]]; then
  echo "python3 is needed to read expected.json; skipping"
  exit 0
fi

# expected.json field as text: "true"/"false", or space-separated check keys
expected_field() { # FILE FIELD
  "$py" - "$1" "$2" <<'EOF'
import json, sys
e = json.load(open(sys.argv[1]))
f = sys.argv[2]
if f == "keys":
    print(" ".join(sorted(c.split(":", 1)[0] for c in e.get("failed_checks", []))))
else:
    v = e.get(f, False)
    print("true" if v is True else "false" if v in (False, None) else v)
EOF
}

# keys of the failed/errored checks in a datacontract JSON result
actual_keys() { # FILE
  "$py" - "$1" <<'EOF'
import json, sys
try:
    r = json.load(open(sys.argv[1]))
except Exception:
    print("<no-result>"); sys.exit()
keys = [c.get("key") or c.get("type") or "general" for c in r.get("checks", []) if c.get("result") in ("failed", "error")]
print(" ".join(sorted(keys)))
EOF
}

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

if [[ $# -gt 0 ]]; then
  names=("$@")
else
  names=()
  while IFS= read -r d; do names+=("$(basename "$d")"); done < <(find "$cases_dir" -mindepth 1 -maxdepth 1 -type d | sort)
fi

[[ -n "$dc" ]] && echo "datacontract: $dc ($("$dc" --version 2>/dev/null | tail -1))"
[[ -n "${SEXTANT_CHECK:-}" ]] && echo "sextant: $SEXTANT_CHECK"

ok=0
bad=0
for name in "${names[@]}"; do
  case_dir="$cases_dir/$name"
  exp_file="$case_dir/expected.json"
  if [[ ! -f "$exp_file" || ! -f "$case_dir/contract.odcs.yaml" || ! -f "$case_dir/data.csv" ]]; then
    echo "$name: incomplete case (needs contract.odcs.yaml, data.csv, expected.json)"
    bad=$((bad + 1))
    continue
  fi
  want="$(expected_field "$exp_file" passed)"
  want_verdict=$([[ "$want" == true ]] && echo pass || echo fail)
  quirk="$(expected_field "$exp_file" upstream_quirk)"

  if [[ -n "$dc" ]]; then
    out="$tmp/$name.json"
    (cd "$case_dir" && "$dc" test contract.odcs.yaml --output-format json --output "$out" >"$tmp/$name.log" 2>&1)
    rc=$?
    got_verdict=$([[ $rc -eq 0 ]] && echo pass || echo fail)
    want_keys="$(expected_field "$exp_file" keys)"
    got_keys="$(actual_keys "$out")"
    if [[ "$got_verdict" == "$want_verdict" && "$got_keys" == "$want_keys" ]]; then
      printf '%-46s datacontract %-4s expected %-4s MATCH\n' "$name" "$got_verdict" "$want_verdict"
      ok=$((ok + 1))
    else
      printf '%-46s datacontract %-4s expected %-4s MISMATCH\n' "$name" "$got_verdict" "$want_verdict"
      echo "    failed checks: got [$got_keys] expected [$want_keys]"
      bad=$((bad + 1))
    fi
  fi

  if [[ -n "${SEXTANT_CHECK:-}" ]]; then
    # shellcheck disable=SC2086  # SEXTANT_CHECK is a command line with arguments
    (cd "$case_dir" && $SEXTANT_CHECK "$case_dir/contract.odcs.yaml" "$case_dir/data.csv" >"$tmp/$name.sextant.log" 2>&1)
    rc=$?
    case $rc in
      0) got_verdict=pass ;;
      1) got_verdict=fail ;;
      *) got_verdict="exit$rc" ;;
    esac
    if [[ "$got_verdict" == "$want_verdict" ]]; then
      printf '%-46s sextant      %-4s expected %-4s MATCH\n' "$name" "$got_verdict" "$want_verdict"
      ok=$((ok + 1))
    elif [[ "$quirk" == true && -z "${SEXTANT_STRICT:-}" && "$got_verdict" =~ ^(pass|fail)$ ]]; then
      printf '%-46s sextant      %-4s expected %-4s DIFFERS (upstream quirk, not counted)\n' "$name" "$got_verdict" "$want_verdict"
      ok=$((ok + 1))
    else
      printf '%-46s sextant      %-4s expected %-4s MISMATCH\n' "$name" "$got_verdict" "$want_verdict"
      sed -n '1,5s/^/    /p' "$tmp/$name.sextant.log"
      bad=$((bad + 1))
    fi
  fi
done

echo "contract-verdicts: $ok passed, $bad failed"
[[ $bad -eq 0 ]]
