#!/usr/bin/env bash
# Runs every cargo-fuzz target for N minutes (default 10), one after the other, each starting
# from its committed seeds (fuzz/seeds/<target>/, a set-cover minimisation of the corpus earlier
# runs grew, read but never written) and from the project's own inputs, written to the working
# corpus fuzz/corpus/<target>/ (not committed): the specs, the doc pages, the vectors' signed
# answers and notifications, and requests shaped like the client's. Findings (crashes) are
# copied to fuzz/regressions/<target>/ (see docs/contributing.md, "Fuzzing").
#
#   fuzz/run.sh [MINUTES] [TARGET...]
#   fuzz/run.sh --replay [TARGET...]   each target runs its committed seeds once (-runs=0), no
#                                      fuzzing: exits non-zero if any seed crashes, leaks or
#                                      times out
#
# cargo-fuzz needs nightly compiler features; on a stable toolchain RUSTC_BOOTSTRAP=1 lets it
# use them (install it with `cargo install cargo-fuzz`).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/.." && pwd)"
shared="$repo/../shared"
replay=false
if [ "${1:-}" = "--replay" ]; then
  replay=true
  shift
else
  minutes="${1:-10}"
  shift || true
fi
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(spec_loader importer verify_response verify_notify gateway_request verify_v3_answer import_openapi)
fi
export RUSTC_BOOTSTRAP=1
# The same limits for fuzzing and replaying.
limits=(-rss_limit_mb=4096 -max_len=65536)

if $replay; then
  failed=()
  for target in "${targets[@]}"; do
    seeds="$here/seeds/$target"
    if ! ls "$seeds"/* >/dev/null 2>&1; then
      echo "!! $target: no seeds in fuzz/seeds/$target/"
      failed+=("$target")
      continue
    fi
    echo "== $target: replaying $(ls "$seeds" | wc -l) seeds"
    (cd "$here" && cargo fuzz run "$target" "seeds/$target" -- -runs=0 "${limits[@]}") ||
      failed+=("$target")
  done
  if [ ${#failed[@]} -ne 0 ]; then
    echo "!! seeds that fail or are missing: ${failed[*]}"
    exit 1
  fi
  echo "== all seeds of ${#targets[@]} target(s) replayed"
  exit 0
fi

seed() {
  local target="$1" dir="$here/corpus/$1"
  mkdir -p "$dir"
  case "$target" in
    spec_loader)
      cp "$repo"/specs/*.yaml "$repo"/codegen/tests/fixtures/specs/*.yaml "$dir"/ 2>/dev/null || true
      cp "$repo"/codegen/tests/fixtures/bad/*.yaml "$dir"/ 2>/dev/null || true ;;
    importer)
      cp "$shared"/seeds/*.txt "$repo"/codegen/tests/fixtures/pages/* "$dir"/ 2>/dev/null || true ;;
    verify_response)
      # The vectors' signed answers, one file each (jq reads the JSON).
      local n=0
      for f in "$shared"/vectors/verify_response.json "$shared"/vectors/modes_*.json; do
        jq -r '.[] | .raw_body? // empty' "$f" 2>/dev/null | while IFS= read -r body; do
          n=$((n + 1)); printf '%s' "$body" >"$dir/$(basename "$f" .json)-$n"
        done
      done ;;
    verify_notify)
      # The vectors' notifications as the form bodies Alipay posts.
      for f in "$shared"/vectors/verify_notify*.json; do
        jq -r '.[] | .params? // empty | to_entries | map("\(.key|@uri)=\(.value|@uri)") | join("&")' "$f" 2>/dev/null |
          awk -v d="$dir" -v p="$(basename "$f" .json)" '{ printf "%s", $0 > (d "/" p "-" NR) }'
      done ;;
    verify_v3_answer)
      # Each v3 response vector in the target's input form: status (2 bytes), then
      # timestamp, nonce, signature, sn and trace id lines, then the body.
      python3 - "$shared/vectors/v3_node.json" "$dir" <<'PY'
import json, sys
vectors, out = sys.argv[1], sys.argv[2]
for v in json.load(open(vectors))["vectors"]:
    r = v.get("response") or {}
    if v.get("kind") != "response" or not r:
        continue
    h = {k: val for k, val in r["headers"]}
    lines = [h.get(n, "") for n in ("alipay-timestamp", "alipay-nonce", "alipay-signature", "alipay-sn", "alipay-trace-id")]
    data = r["status"].to_bytes(2, "big") + "\n".join(lines).encode() + b"\n" + (r.get("body") or "").encode()
    open(f"{out}/{v['name']}", "wb").write(data)
PY
      ;;
    import_openapi)
      cp "$repo"/codegen/tests/fixtures/openapi/* "$dir"/ 2>/dev/null || true ;;
    gateway_request)
      printf 'charset=utf-8\nmethod=alipay.user.agreement.auth.confirm&app_id=2021&format=JSON&sign_type=RSA2&timestamp=2026-01-01+00%%3A00%%3A00&version=1.0&biz_content=%%7B%%22agreement_no%%22%%3A%%221%%22%%7D&sign=abc' >"$dir/signed-shape"
      printf '\nmethod=a&method=b' >"$dir/duplicate" ;;
  esac
}

failed=()
for target in "${targets[@]}"; do
  status=0
  seed "$target"
  echo "== $target: ${minutes} minute(s)"
  # New inputs go to the first folder (corpus/); the seeds are only read.
  dirs=("corpus/$target")
  if [ -d "$here/seeds/$target" ]; then dirs+=("seeds/$target"); fi
  (cd "$here" && cargo fuzz run "$target" "${dirs[@]}" -- \
      -max_total_time=$((minutes * 60)) "${limits[@]}" -print_final_stats=1) || status=$?
  if ls "$here/artifacts/$target"/crash-* "$here/artifacts/$target"/oom-* "$here/artifacts/$target"/timeout-* >/dev/null 2>&1; then
    mkdir -p "$here/regressions/$target"
    cp "$here/artifacts/$target"/* "$here/regressions/$target"/
    echo "!! $target: findings copied to fuzz/regressions/$target/"
  fi
  if [ "$status" -ne 0 ]; then
    # Go on with the next target: one finding should not leave the others unfuzzed.
    echo "!! $target exited ${status}"
    failed+=("$target")
  fi
done
if [ ${#failed[@]} -ne 0 ]; then
  echo "!! targets with findings or failures: ${failed[*]}"
  exit 1
fi
