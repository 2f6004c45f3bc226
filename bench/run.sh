#!/usr/bin/env bash
# Figures for issue 7: per-call cost, signing backends against the official Node SDK and OpenSSL, codegen scale and `diff`,
# downstream build cost, loopback throughput. Every ratio is measured side by side in one run.
#
#   bench/run.sh                 full run (release and debug builds, the whole catalog; over an hour on 2 cores)
#   bench/run.sh --quick         tiny sizes, to prove the script works (CI may run this)
#   bench/run.sh --only call,node,openssl,codegen,diff,loopback,downstream,catalog,catalog-release
#   bench/run.sh --only soak     the soak alone (not part of a full run): 1,000,000 calls at 32 callers, ~7 minutes of
#                                both cores; SOAK_CALLS and SOAK_CONCURRENCY change it (--quick: 20,000 calls)
#   bench/run.sh --out FILE      also write the table (markdown) to FILE
#
# Environment: CARGO_TARGET_DIR (default: <repo>/target-bench), ALIPAY_SHARED (default: <repo>/../shared),
# BENCH_KEEP=1 keeps the scratch folder, CODEGEN_BIN=<path> uses an already built alipay-codegen,
# BENCH_SKIP_ONE_CRATE_ALL=1 skips the build of the whole catalog as one crate (it needs more memory than 24 GiB).
# Needs bash, cargo, tar, awk; jq or python3. node/npm and openssl are optional: their rows are skipped with a
# message when absent. Nothing here is part of the test suite.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH="$ROOT/bench"
SHARED=${ALIPAY_SHARED:-$(cd "$ROOT/.." && pwd)/shared}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target-bench}
export CARGO_TERM_COLOR=never

QUICK=0
ONLY="call,node,openssl,codegen,diff,loopback,downstream,catalog,catalog-release"
OUT=""
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) QUICK=1 ;;
    --only) ONLY="$2"; shift ;;
    --only=*) ONLY="${1#--only=}" ;;
    --out) OUT="$2"; shift ;;
    --out=*) OUT="${1#--out=}" ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

WORK=$(mktemp -d "${TMPDIR:-/tmp}/alipay-bench.XXXXXX")
cleanup() {
  if [ "${BENCH_KEEP:-0}" = 1 ]; then echo "scratch kept in $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

VECTORS="$SHARED/vectors"
CATALOG_TGZ="$SHARED/corpus/catalog.tar.gz"
# The request signed in the Node comparison: UTF-8, RSA2, Chinese text in biz_content, signed by both official SDKs.
NODE_VECTOR=ebpp_pdeduct_sign_validate_rsa2_utf8

if [ "$QUICK" = 1 ]; then
  CRIT_ARGS=(--warm-up-time 1 --measurement-time 2 --sample-size 10)
  NODE_ITERS=200
  SIGN_ITERS=200
  OPENSSL_SECONDS=1
  CODEGEN_SIZES=(10 100)
  REPS=3
  LOOP_CALLS=1000
  SOAK_CALLS=${SOAK_CALLS:-20000}
else
  CRIT_ARGS=()
  NODE_ITERS=3000
  SIGN_ITERS=3000
  OPENSSL_SECONDS=3
  CODEGEN_SIZES=(100 1000 all)
  REPS=11
  LOOP_CALLS=100000
  SOAK_CALLS=${SOAK_CALLS:-1000000}
fi

# ---------------------------------------------------------------------------------------------------------------
# helpers

log() { printf '\n== %s\n' "$*" >&2; }
want() { case ",$ONLY," in *",$1,"*) return 0 ;; *) return 1 ;; esac; }

ROWS=()    # figure | measured | target | verdict
NOTES=()   # rows that could not be measured, and why
# Rows go to --out as they are measured, so a run cut short still leaves what it measured.
row() {
  ROWS+=("$1|$2|$3|$4")
  printf '   %s: %s (target %s) %s\n' "$1" "$2" "$3" "$4" >&2
  [ -z "$OUT" ] || printf '| %s | %s | %s | %s |\n' "$1" "$2" "$3" "$4" >>"$OUT"
}
skip() { NOTES+=("$1: $2"); printf '   SKIPPED %s: %s\n' "$1" "$2" >&2; }
if [ -n "$OUT" ]; then
  printf '| figure | measured | target | verdict |\n|---|---|---|---|\n' >"$OUT"
fi

# Floating-point arithmetic without bc: awk is everywhere.
calc() { awk "BEGIN { printf \"%.${2:-3}f\", $1 }"; }
# verdict <value> <op> <limit>: "ok" or "MISSED"
verdict() { awk -v v="$1" -v l="$3" -v op="$2" 'BEGIN { ok = (op == "<=") ? (v <= l) : (v >= l); print ok ? "ok" : "MISSED" }'; }
median() { sort -g | awk '{ a[NR] = $1 } END { if (NR == 0) exit 1; print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
now_ns() { date +%s%N; }
# fmt_ns <ns>: a human time
fmt_ns() {
  awk -v n="$1" 'BEGIN {
    if (n >= 1e9) printf "%.2f s", n / 1e9; else if (n >= 1e6) printf "%.2f ms", n / 1e6;
    else if (n >= 1e3) printf "%.1f µs", n / 1e3; else printf "%.0f ns", n }'
}

json_get() { # json_get <file> <jq path>  (python3 fallback understands .a.b only)
  if command -v jq >/dev/null 2>&1; then jq -r "$2" "$1"
  else python3 -c 'import json,sys
v = json.load(open(sys.argv[1]))
for k in sys.argv[2].strip(".").split("."): v = v[k]
print(v)' "$1" "$2"; fi
}

# time_median <reps> <command...>: median wall time in ns of <reps> runs (output discarded; a failure aborts).
# With FRESH=<folder> set, that folder is deleted before each run, outside the timed part.
time_median() {
  local reps=$1; shift
  local i t0 t1
  for ((i = 0; i < reps; i++)); do
    [ -z "${FRESH:-}" ] || rm -rf "$FRESH"
    t0=$(now_ns)
    "$@" >/dev/null 2>"$WORK/last-stderr" || { cat "$WORK/last-stderr" >&2; return 1; }
    t1=$(now_ns)
    echo $((t1 - t0))
  done | median
}

# A scratch crate outside the workspace resolves the same dependency versions as the workspace.
seed_lockfile() { cp "$ROOT/Cargo.lock" "$1/Cargo.lock"; }

# ---------------------------------------------------------------------------------------------------------------
# 1. per-call cost: criterion bench runtime/benches/call.rs, once per backend

# criterion_medians <criterion home>: "<group/bench id> <median ns>" per benchmark
criterion_medians() {
  local f id
  while IFS= read -r f; do
    id=${f#"$1"/}; id=${id%/new/estimates.json}
    printf '%s %s\n' "$id" "$(json_get "$f" .median.point_estimate)"
  done < <(find "$1" -path '*/new/estimates.json' | sort)
}

# First benchmark whose id matches an extended regex (case-insensitive).
pick() { grep -iE "$2" "$1" | grep -viE "${3:-^$}" | head -n 1 | awk '{ print $2 }'; }

declare -A BARE_SIGN_NS=() CALL_NS=()
run_call_bench() { # <backend label> <cargo feature args...>
  local label=$1; shift
  local home="$WORK/criterion-$label"
  mkdir -p "$home"
  log "per-call cost, backend $label: cargo bench -p alipay-runtime --bench call $*"
  if ! (cd "$ROOT" && CRITERION_HOME="$home" cargo bench -q -p alipay-runtime --bench call "$@" -- "${CRIT_ARGS[@]}" \
        >"$WORK/call-$label.log" 2>&1); then
    tail -n 30 "$WORK/call-$label.log" >&2
    skip "per-call cost ($label)" "cargo bench -p alipay-runtime --bench call failed (log above)"
    return 0
  fi
  criterion_medians "$home" >"$WORK/call-$label.medians"
  sed 's/^/   criterion /' "$WORK/call-$label.medians" >&2
  # Ids from runtime/benches/call.rs: call-<backend>/full_call_no_network, call-<backend>/bare_rsa2048_sign.
  local bare call
  bare=$(pick "$WORK/call-$label.medians" '/bare_rsa2048_sign ')
  call=$(pick "$WORK/call-$label.medians" '/full_call_no_network ')
  if [ -z "$bare" ] || [ -z "$call" ]; then
    skip "per-call cost ($label)" "no full_call_no_network / bare_rsa2048_sign pair among the criterion ids above"
    return 0
  fi
  BARE_SIGN_NS[$label]=$bare
  CALL_NS[$label]=$call
  local r
  r=$(calc "$call / $bare")
  row "per-call cost, $label (criterion medians): complete call $(fmt_ns "$call") / bare RSA-2048 sign $(fmt_ns "$bare")" "$r" "<= 1.10" "$(verdict "$r" '<=' 1.10)"
  # The bench's own interleaved runs: "backend X: median full call A us, median bare RSA-2048
  # sign B us, ratio R (...)", then the same for v3 ("backend X: v3: median full call ...").
  local protocol prefix line detail
  for protocol in v2 v3; do
    prefix='^backend [^:]*: '
    [ "$protocol" = v3 ] && prefix='^backend [^:]*: v3: '
    line=$(grep -E "${prefix}median full call" "$WORK/call-$label.log" | tail -n 1 || true)
    [ -n "$line" ] || continue
    r=$(sed -E 's/.* ratio ([0-9.]+).*/\1/' <<<"$line")
    detail=$(sed -E 's/.*median full call ([0-9.]+) us, median bare RSA-2048 sign ([0-9.]+) us.*/complete call \1 µs \/ bare sign \2 µs/' <<<"$line")
    row "per-call cost, $label, $protocol (interleaved rounds, same bench): $detail" "$r" "<= 1.10" "$(verdict "$r" '<=' 1.10)"
  done
}

if want call; then
  run_call_bench aws-lc-rs
  run_call_bench rsa --no-default-features --features rsa
fi

# ---------------------------------------------------------------------------------------------------------------
# Our side of the Node comparison and the sign/s figure: bench/harness (a crate outside the workspace).

HARNESS_BIN_DIR="$CARGO_TARGET_DIR/harness/release"
declare -A HARNESS_BUILT=()
build_harness() { # [cargo features]: bench/harness (release) into its own part of the target dir, once per feature set
  local features=${1:-}
  [ -n "${HARNESS_BUILT[x$features]:-}" ] && return 0
  log "building bench/harness (release${features:+, features $features})"
  # The harness is its own workspace; it resolves the same dependency versions as the project.
  cp "$ROOT/Cargo.lock" "$BENCH/harness/Cargo.lock" || return 1
  (cd "$BENCH/harness" && CARGO_TARGET_DIR="$CARGO_TARGET_DIR/harness" cargo build -q --release --bins ${features:+--features "$features"}) >&2 \
    || return 1
  HARNESS_BUILT[x$features]=1
}

# ---------------------------------------------------------------------------------------------------------------
# 2. against the official Node SDK

if want node; then
  log "against the official Node SDK (npm alipay-sdk 4.x), vector $NODE_VECTOR"
  if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    skip "Node SDK comparison" "node/npm not installed"
  else
    NODE_DIR="$WORK/node"
    mkdir -p "$NODE_DIR"
    (cd "$NODE_DIR" && npm init -y >/dev/null 2>&1 && npm install --no-audit --no-fund --loglevel=error alipay-sdk@4 >/dev/null 2>&1) || true
    if [ ! -d "$NODE_DIR/node_modules/alipay-sdk" ]; then
      skip "Node SDK comparison" "npm install alipay-sdk@4 failed (offline?)"
    elif ! node "$BENCH/node/sign.js" "$NODE_DIR" "$VECTORS/sign.json" "$NODE_VECTOR" "$NODE_ITERS" >"$WORK/node.json"; then
      skip "Node SDK comparison" "bench/node/sign.js failed"
    else
      node_ns=$(json_get "$WORK/node.json" .sign_ns_per_call)
      node_exec_ns=$(json_get "$WORK/node.json" .sdk_execute_ns_per_call)
      node_sig=$(json_get "$WORK/node.json" .sign)
      node_sdk=$(json_get "$WORK/node.json" .sdk)
      row "Node $node_sdk (node $(node --version)) util.sign, sign content + RSA2 sign" "$(fmt_ns "$node_ns")/call" "(reference)" "-"
      if [ "$(json_get "$WORK/node.json" .matches_vector)" != true ]; then
        skip "Node SDK comparison" "the Node SDK's signature differs from the vector $NODE_VECTOR (sign.js builds the request wrongly)"
      fi
      if build_harness; then
        "$HARNESS_BIN_DIR/sign-vector" "$VECTORS/sign.json" "$NODE_VECTOR" "$SIGN_ITERS" >"$WORK/ours.json"
        ours_ns=$(json_get "$WORK/ours.json" .ns_per_call)
        ours_sig=$(json_get "$WORK/ours.json" .sign)
        prep_ns=$(json_get "$WORK/ours.json" .prepare.ns_per_call)
        prep_sig=$(json_get "$WORK/ours.json" .prepare.sign)
        same=OK
        [ "$ours_sig" = "$node_sig" ] && [ "$prep_sig" = "$node_sig" ] || same=MISMATCH
        echo "   signatures (Node util.sign, our sign content + sign, our Client::prepare): $same" >&2
        r=$(calc "$node_ns / $ours_ns" 2)
        v=$(verdict "$r" '>=' 3)
        [ "$same" = OK ] || v="MISSED (signature MISMATCH)"
        row "vs Node util.sign $(fmt_ns "$node_ns") / ours sign content + RSA2 sign $(fmt_ns "$ours_ns") per call (same signature: $same)" "${r}x faster" ">= 3x" "$v"
        r2=$(calc "$node_exec_ns / $prep_ns" 2)
        v2=$(verdict "$r2" '>=' 3)
        [ "$same" = OK ] || v2="MISSED (signature MISMATCH)"
        row "vs Node sdkExecute (signed, URL-encoded) $(fmt_ns "$node_exec_ns") / ours Client::prepare (validate, sign, encode) $(fmt_ns "$prep_ns")" "${r2}x faster" ">= 3x" "$v2"
      else
        skip "Node SDK comparison (ours)" "bench/harness did not build"
      fi
    fi
  fi
fi

# ---------------------------------------------------------------------------------------------------------------
# 3. backends against `openssl speed rsa2048` (single process = one core)

if want openssl; then
  log "backends vs openssl speed -seconds $OPENSSL_SECONDS rsa2048 (one core)"
  if ! command -v openssl >/dev/null 2>&1; then
    skip "OpenSSL comparison" "openssl not installed"
  else
    # "rsa 2048 bits 0.000254s 0.000014s   3942.4  72133.0": sign time, verify time, sign/s, verify/s
    ossl_sign_s=$(openssl speed -seconds "$OPENSSL_SECONDS" rsa2048 2>/dev/null | awk '/^rsa +2048 bits/ { sub(/s$/, "", $4); print $4; exit }')
    if [ -z "$ossl_sign_s" ]; then
      skip "OpenSSL comparison" "could not read 'openssl speed' output"
    else
      ossl_ns=$(calc "$ossl_sign_s * 1e9" 0)
      row "$(openssl version | awk '{ print $1, $2 }') speed rsa2048, one core: $(fmt_ns "$ossl_ns") per sign" "$(calc "1e9 / $ossl_ns" 0) sign/s" "(reference)" "-"
      for b in aws-lc-rs rsa; do
        ns=${BARE_SIGN_NS[$b]:-}
        if [ -z "$ns" ]; then
          skip "backend $b vs OpenSSL" "no bare-sign median for $b (run with --only call,openssl)"
          continue
        fi
        r=$(calc "$ns / $ossl_ns" 2)
        if [ "$b" = aws-lc-rs ]; then target="<= 1.3"; v=$(verdict "$r" '<=' 1.3); else target="(none)"; v="-"; fi
        row "backend $b: $(calc "1e9 / $ns" 0) sign/s vs OpenSSL $(calc "1e9 / $ossl_ns" 0) sign/s (time per sign ratio)" "$r" "$target" "$v"
      done
    fi
  fi
fi

# ---------------------------------------------------------------------------------------------------------------
# 4. codegen scale: `alipay-codegen check` (parse + lint) against `generate` (end to end) on catalog subsets

CODEGEN=${CODEGEN_BIN:-}   # CODEGEN_BIN=<path> uses an already built alipay-codegen
build_codegen() {
  [ -n "$CODEGEN" ] && return 0
  log "building alipay-codegen (release)"
  (cd "$ROOT" && cargo build -q --release -p alipay-codegen --bin alipay-codegen) >&2
  CODEGEN="$CARGO_TARGET_DIR/release/alipay-codegen"
}

CATALOG=""
unpack_catalog() {
  [ -n "$CATALOG" ] && return 0
  mkdir -p "$WORK/corpus"
  tar -xzf "$CATALOG_TGZ" -C "$WORK/corpus"
  CATALOG="$WORK/corpus/catalog"
}

# catalog_and_codegen <row>: whether the catalog archive is there and alipay-codegen builds; if not, <row> is
# skipped, saying which
catalog_and_codegen() {
  if [ ! -f "$CATALOG_TGZ" ]; then
    skip "$1" "$CATALOG_TGZ not found"
  elif ! build_codegen; then
    skip "$1" "alipay-codegen did not build"
  else
    return 0
  fi
  return 1
}

# subset <n|all>: a folder holding the first n specs of the catalog in name order
subset() {
  local n=$1 dir="$WORK/subset-$1"
  if [ ! -d "$dir" ]; then
    mkdir -p "$dir"
    if [ "$n" = all ]; then cp "$CATALOG"/*.yaml "$dir/"
    else find "$CATALOG" -maxdepth 1 -name '*.yaml' | sort | head -n "$n" | xargs cp -t "$dir/"; fi
  fi
  echo "$dir"
}

if want codegen; then
  log "codegen scale on $(basename "$CATALOG_TGZ")"
  if catalog_and_codegen "codegen scale"; then
    unpack_catalog
    for n in "${CODEGEN_SIZES[@]}"; do
      dir=$(subset "$n")
      count=$(find "$dir" -name '*.yaml' | wc -l)
      # One check and one generate per round, back to back, so drift hits both alike; generate writes into an
      # empty folder each time (deleting the previous output is not timed), so every file is created.
      : >"$WORK/codegen-$n.check"; : >"$WORK/codegen-$n.gen"
      for ((rep = 0; rep < REPS; rep++)); do
        time_median 1 "$CODEGEN" check "$dir" >>"$WORK/codegen-$n.check" || break
        FRESH="$WORK/gen-out-$n" time_median 1 "$CODEGEN" generate --specs "$dir" --out "$WORK/gen-out-$n" \
          >>"$WORK/codegen-$n.gen" || break
      done
      check_ns=$(median <"$WORK/codegen-$n.check") && [ "$(wc -l <"$WORK/codegen-$n.check")" = "$REPS" ] \
        || { skip "codegen $count specs" "check failed"; continue; }
      gen_ns=$(median <"$WORK/codegen-$n.gen") && [ "$(wc -l <"$WORK/codegen-$n.gen")" = "$REPS" ] \
        || { skip "codegen $count specs" "generate failed"; continue; }
      # generate / check is kept as a recorded figure: the "generate <= 2x parse" target is retired (issue 14).
      r=$(calc "$gen_ns / $check_ns" 2)
      row "codegen $count specs: generate $(fmt_ns "$gen_ns") / check (parse+lint) $(fmt_ns "$check_ns")" "$r" "(recorded)" "-"
      if [ "$count" = 1000 ]; then
        row "codegen 1,000 specs end to end (wall, process included)" "$(fmt_ns "$gen_ns")" "< 1 s" "$(verdict "$gen_ns" '<=' 1000000000)"
      fi
      if [ "$n" = all ]; then
        row "codegen the whole corpus, $count specs, every group: generate (wall, process included, $(nproc) cores)" "$(fmt_ns "$gen_ns")" "< 15 s" "$(verdict "$gen_ns" '<=' 15000000000)"
      fi
    done
    # The generator's own criterion bench, when it exists (codegen/benches/generate.rs).
    if [ -f "$ROOT/codegen/benches/generate.rs" ]; then
      home="$WORK/criterion-codegen"
      mkdir -p "$home"
      if (cd "$ROOT" && ALIPAY_CORPUS="$CATALOG" CRITERION_HOME="$home" cargo bench -q -p alipay-codegen --bench generate -- "${CRIT_ARGS[@]}" \
            >"$WORK/codegen-bench.log" 2>&1); then
        criterion_medians "$home" >"$WORK/codegen.medians"
        sed 's/^/   criterion /' "$WORK/codegen.medians" >&2
        p=$(pick "$WORK/codegen.medians" '/parse ')
        g=$(pick "$WORK/codegen.medians" '/generate_end_to_end ')
        if [ -n "$p" ] && [ -n "$g" ]; then
          r=$(calc "$g / $p" 2)
          row "codegen criterion (in-process): generate $(fmt_ns "$g") / parse $(fmt_ns "$p")" "$r" "(recorded)" "-"
        else
          skip "codegen criterion" "no parse / generate pair among the ids above"
        fi
      else
        tail -n 20 "$WORK/codegen-bench.log" >&2
        skip "codegen criterion" "cargo bench -p alipay-codegen --bench generate failed"
      fi
    fi
  fi
fi

# ---------------------------------------------------------------------------------------------------------------
# 4b. `alipay-codegen diff`: the whole catalog against itself, against loading it twice (two `check` runs: each
# loads and lints every spec, as diff does for each side before comparing)

if want diff; then
  log "codegen diff on $(basename "$CATALOG_TGZ")"
  if catalog_and_codegen "codegen diff"; then
    unpack_catalog
    if [ "$QUICK" = 1 ]; then dir=$(subset 1000); else dir=$(subset all); fi
    count=$(find "$dir" -name '*.yaml' | wc -l)
    # Each round: check, check, diff, back to back, so drift hits both sides alike.
    : >"$WORK/diff.self"; : >"$WORK/diff.check2"
    for ((rep = 0; rep < REPS; rep++)); do
      a=$(time_median 1 "$CODEGEN" check "$dir") || break
      b=$(time_median 1 "$CODEGEN" check "$dir") || break
      echo $((a + b)) >>"$WORK/diff.check2"
      time_median 1 "$CODEGEN" diff "$dir" "$dir" >>"$WORK/diff.self" || break
    done
    if [ "$(wc -l <"$WORK/diff.self")" != "$REPS" ] || [ "$(wc -l <"$WORK/diff.check2")" != "$REPS" ]; then
      skip "codegen diff $count specs" "check or diff failed (stderr above)"
    else
      diff_ns=$(median <"$WORK/diff.self")
      twice_ns=$(median <"$WORK/diff.check2")
      r=$(calc "$diff_ns / $twice_ns" 2)
      row "codegen diff, $count specs against themselves: diff $(fmt_ns "$diff_ns") / check (load + lint) twice $(fmt_ns "$twice_ns")" "$r" "<= 2" "$(verdict "$r" '<=' 2)"
    fi
  fi
fi

# ---------------------------------------------------------------------------------------------------------------
# 5. loopback throughput against the local gateway

if want loopback; then
  log "loopback: client -> alipay-gateway on 127.0.0.1, $LOOP_CALLS calls per concurrency level"
  if ! build_harness loopback; then
    skip "loopback" "bench/harness --features loopback did not build (needs the generated client and its gateway feature)"
  else
    for c in 1 8 32; do
      if "$HARNESS_BIN_DIR/loopback" --calls "$LOOP_CALLS" --concurrency "$c" >"$WORK/loop-$c.json"; then
        cps=$(json_get "$WORK/loop-$c.json" .calls_per_sec)
        rss0=$(json_get "$WORK/loop-$c.json" .rss_before_kib)
        rss1=$(json_get "$WORK/loop-$c.json" .rss_after_kib)
        growth=$(calc "($rss1 - $rss0) / 1024" 1)
        per_call=$(calc "($rss1 - $rss0) * 1024 / $LOOP_CALLS" 1)
        # "Does not grow": at most 2 MiB over the measured calls (after the warm-up), i.e. no per-call leak of
        # more than ~20 bytes at 100,000 calls.
        ok=$(awk -v a="$rss0" -v b="$rss1" 'BEGIN { print (b - a <= 2048) ? "ok" : "MISSED" }')
        row "loopback, $c concurrent callers: calls/s ($LOOP_CALLS calls)" "$(calc "$cps" 0)" "(recorded)" "-"
        row "loopback, $c concurrent callers: VmRSS after warm-up $(calc "$rss0 / 1024" 1) MiB, after $LOOP_CALLS calls $(calc "$rss1 / 1024" 1) MiB ($per_call bytes/call)" "+$growth MiB" "<= +2 MiB" "$ok"
      else
        skip "loopback c=$c" "harness loopback failed"
      fi
    done
  fi
fi

# ---------------------------------------------------------------------------------------------------------------
# 5b. soak: a long loopback run with payments and notifications (only when asked for: --only soak)

if want soak; then
  SOAK_CONCURRENCY=${SOAK_CONCURRENCY:-32}
  log "soak: $SOAK_CALLS calls, $SOAK_CONCURRENCY callers, an app payment before every 10th call (load now: $(cut -d' ' -f1-3 /proc/loadavg))"
  if ! build_harness loopback; then
    skip "soak" "bench/harness --features loopback did not build"
  # The soak exits 1 when a target is missed; its JSON line is the figures either way.
  elif "$HARNESS_BIN_DIR/soak" --calls "$SOAK_CALLS" --concurrency "$SOAK_CONCURRENCY" >"$WORK/soak.json" \
      || [ -s "$WORK/soak.json" ]; then
    j() { json_get "$WORK/soak.json" "$1"; }
    row "soak: verified calls ($(j .calls) in $(calc "$(j .seconds)" 0) s, $SOAK_CONCURRENCY callers), errors" "$(j .errors)" "0" "$( [ "$(j .errors)" = 0 ] && echo ok || echo MISSED)"
    row "soak: notifications delivered (verified by the notify_url listener) / payments" "$(j .notifications_delivered) / $(j .payments)" "all" "$( [ "$(j .notifications_delivered)" = "$(j .payments)" ] && echo ok || echo MISSED)"
    growth=$(calc "($(j .rss_steady_max_kib) - $(j .rss_steady_min_kib)) / 1024" 1)
    row "soak: VmRSS after warm-up ($(j .warmup_calls) calls) min $(calc "$(j .rss_steady_min_kib) / 1024" 1) MiB, max $(calc "$(j .rss_steady_max_kib) / 1024" 1) MiB" "$growth MiB" "<= 5 MiB" "$(verdict "$growth" '<=' 5)"
    row "soak: VmRSS at the warm-up's end $(calc "$(j .rss_after_warmup_kib) / 1024" 1) MiB, at the end $(calc "$(j .rss_end_kib) / 1024" 1) MiB" "$(calc "($(j .rss_end_kib) - $(j .rss_after_warmup_kib)) / 1024" 1) MiB" "(recorded)" "-"
    row "soak: open file descriptors after warm-up, min / max" "$(j .fds_steady_min) / $(j .fds_steady_max)" "flat" "-"
    row "soak: calls/s ($(calc "$(j .calls_per_sec)" 0)), with the payments ($(calc "$(j .calls_and_payments_per_sec)" 0)/s) against the 2-thread sign+verify ceiling ($(calc "$(j .ceiling_before_per_sec)" 0) before, $(calc "$(j .ceiling_after_per_sec)" 0) after)" "$(calc "$(j .ratio_all_to_ceiling)" 2)" ">= 0.90" "$(verdict "$(j .ratio_all_to_ceiling)" '>=' 0.9)"
    [ -z "$OUT" ] || cp "$WORK/soak.json" "$OUT.soak.json"
  else
    skip "soak" "harness soak failed (its JSON: $(cat "$WORK/soak.json" 2>/dev/null))"
  fi
fi

# ---------------------------------------------------------------------------------------------------------------
# 6. downstream build cost: scratch crates built from clean, each with its own target dir

# new_crate <name> <dependency line...>: a library crate under $WORK/ds/<name>
new_crate() {
  local name=$1; shift
  local dir="$WORK/ds/$name"
  mkdir -p "$dir/src"
  {
    printf '[package]\nname = "%s"\nversion = "0.0.0"\nedition = "2024"\npublish = false\n\n' "$name"
    printf '[workspace]\n\n[dependencies]\n'
    printf '%s\n' "$@"
  } >"$dir/Cargo.toml"
  seed_lockfile "$dir"
  echo "$dir"
}

# clean_build <crate dir> [cargo args...]: `cargo build --release` (`cargo build` when BUILD_PROFILE=dev) from an
# empty target dir. Prints the wall time in
# ns; leaves "<cpu seconds> <peak RSS KiB>" of the build (all its processes) in <crate dir>/build.usage when GNU time
# is there. A watchdog stops the build when the machine runs out of memory (MemAvailable under BENCH_MIN_MEM_MIB,
# default 1536), so a crate too big to compile cannot take the machine down; the build then counts as failed.
clean_build() {
  local dir=$1 pid rc=0 min_kib=$(( ${BENCH_MIN_MEM_MIB:-1536} * 1024 ))
  shift
  rm -rf "$dir/target" "$dir/build.usage" "$dir/build.wall" "$dir/oom"
  local timer=()
  [ -x /usr/bin/time ] && timer=(/usr/bin/time -f '%U %S %M' -o "$dir/build.time")
  # The build times itself (the watchdog's polling must not add to the figure), in its own process group.
  (cd "$dir" && CARGO_TARGET_DIR="$dir/target" exec setsid bash -c \
    't0=$(date +%s%N); "$@"; rc=$?; echo $(( $(date +%s%N) - t0 )) >build.wall; exit $rc' \
    clean_build "${timer[@]}" cargo build -q --profile "${BUILD_PROFILE:-release}" "$@") >"$dir/build.log" 2>&1 &
  pid=$!
  while kill -0 "$pid" 2>/dev/null; do
    sleep 1
    if [ "$(awk '/^MemAvailable:/ { print $2 }' /proc/meminfo)" -lt "$min_kib" ]; then
      echo "   out of memory (MemAvailable under $((min_kib / 1024)) MiB): stopping this build" >&2
      touch "$dir/oom"
      kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
      break
    fi
  done
  wait "$pid" || rc=$?
  if [ -f "$dir/build.time" ]; then
    awk 'NF == 3 && $1 ~ /^[0-9.]+$/ { printf "%.1f %d\n", $1 + $2, $3 }' "$dir/build.time" | tail -n 1 >"$dir/build.usage"
  fi
  if [ "$rc" != 0 ] || [ -f "$dir/oom" ]; then
    tail -n 30 "$dir/build.log" >&2
    return 1
  fi
  cat "$dir/build.wall"
}

# usage_note <crate dir>: ", CPU 123.4 s, peak RSS 1.2 GiB" from the last clean_build, or nothing
usage_note() {
  [ -s "$1/build.usage" ] || return 0
  awk '{ printf ", CPU %.0f s, peak RSS %.1f GiB", $1, $2 / 1048576 }' "$1/build.usage"
}

if want downstream; then
  log "downstream build cost (cargo build --release from clean, jobs = $(nproc))"
  a=$(new_crate ds-client-one-group "alipay-openapi = { path = \"$ROOT\", default-features = false, features = [\"aws-lc-rs\", \"user\"] }")
  printf '//! Uses the generated client with one product group.\npub use alipay_openapi;\n' >"$a/src/lib.rs"
  c=$(new_crate ds-client-one-group-json "alipay-openapi = { path = \"$ROOT\", default-features = false, features = [\"aws-lc-rs\", \"user\", \"json\"] }")
  printf '//! Uses the generated client with one product group and its untyped JSON path.\npub use alipay_openapi;\n' >"$c/src/lib.rs"
  b=$(new_crate ds-runtime-only "alipay-runtime = { path = \"$ROOT/runtime\" }")
  printf '//! Uses only the runtime.\npub use alipay_runtime;\n' >"$b/src/lib.rs"
  # Fetch once so the timings hold no download.
  (cd "$a" && cargo fetch -q) >&2 || true
  (cd "$b" && cargo fetch -q) >&2 || true
  (cd "$c" && cargo fetch -q) >&2 || true
  if ta=$(clean_build "$a") && ua=$(usage_note "$a") && tb=$(clean_build "$b"); then
    r=$(calc "$ta / $tb" 2)
    row "downstream: client with group 'user' $(fmt_ns "$ta")$ua / runtime only $(fmt_ns "$tb")$(usage_note "$b")" "$r" "<= 1.3" "$(verdict "$r" '<=' 1.3)"
    # The same group with the `json` feature (call_json, request_from_json): recorded beside it.
    if tc=$(clean_build "$c"); then
      rc_=$(calc "$tc / $tb" 2)
      row "downstream: client with group 'user' and feature 'json' $(fmt_ns "$tc")$(usage_note "$c") / runtime only $(fmt_ns "$tb")" "$rc_" "(recorded)" "-"
    else
      skip "downstream one group with json" "the scratch crate did not build (log above)"
    fi
    # The build scripts of the client and of the group's packages (catalog/user_1, user_2), as the clean build
    # compiled them (build-script profile), run again one after the other the way cargo runs them, each into an
    # empty OUT_DIR (so every file is generated and written), against that clean build.
    bs=$(find "$a/target/release/build" -path '*/alipay-openapi-*/build-script-build' -type f -perm -u+x | sort)
    if [ -n "$bs" ]; then
      runner="$WORK/bs-all.sh"
      {
        echo 'set -e'
        while IFS= read -r script; do
          pkg=$(basename "$(dirname "$script")"); pkg=${pkg%-*}      # alipay-openapi-user-1-<hash> -> alipay-openapi-user-1
          if [ "$pkg" = alipay-openapi ]; then
            dir="$ROOT"; features='CARGO_FEATURE_USER=1 CARGO_FEATURE_AWS_LC_RS=1'
          else
            part=${pkg#alipay-openapi-}                                # user-1 -> catalog/user_1
            dir="$ROOT/catalog/$(printf '%s' "$part" | sed -E 's/-([0-9]+)$/_\1/')"; features=''
          fi
          out="$WORK/bs-out/$pkg"
          echo "rm -rf '$out'; mkdir -p '$out'; (cd '$dir' && env CARGO_MANIFEST_DIR='$dir' OUT_DIR='$out' $features '$script')"
        done <<<"$bs"
      } >"$runner"
      nbs=$(printf '%s\n' "$bs" | wc -l)
      if bs_ns=$(time_median "$REPS" bash "$runner"); then
        pct=$(calc "100 * $bs_ns / $ta" 2)
        row "downstream: the $nbs build scripts of the client with group 'user' (run, median of $REPS) $(fmt_ns "$bs_ns") / its clean release build $(fmt_ns "$ta")" "$pct %" "<= 3 %" "$(verdict "$pct" '<=' 3)"
      else
        skip "downstream build.rs" "a build script failed when run again (log above)"
      fi
    else
      skip "downstream build.rs" "no build-script-build of alipay-openapi under $a/target/release/build"
    fi
  else
    skip "downstream one group vs runtime only" "a scratch crate did not build (log above)"
  fi
fi

# The whole catalog (8,944 methods) as a downstream crate: `catalog` is its one-crate builds and the debug builds
# of the group crates; `catalog-release` is the release build of the group crates with every group (the longest
# row: about twice the CPU time of the debug build).
if want catalog || want catalog-release; then
  log "whole-catalog builds (jobs = $(nproc))"
  if [ "$QUICK" = 1 ]; then
    skip "whole-catalog builds" "skipped in --quick"
  elif [ ! -f "$CATALOG_TGZ" ]; then
    skip "whole-catalog builds" "$CATALOG_TGZ not found"
  else
    unpack_catalog
    if ! build_codegen; then
      skip "whole-catalog builds" "alipay-codegen did not build"
    else
      # One crate generated from all 8,944 specs by the CLI, one Cargo feature per product group (the
      # group files the generator writes), as a team vendoring the code would have it.
      cat_dir="$WORK/ds/catalog"
      mkdir -p "$cat_dir/src"
      if ! "$CODEGEN" generate --specs "$CATALOG" --out "$cat_dir/src/generated" >"$WORK/catalog-generate.log" 2>&1; then
        tail -n 20 "$WORK/catalog-generate.log" >&2
        skip "whole-catalog builds" "alipay-codegen generate failed on the catalog"
      else
        groups=$(find "$cat_dir/src/generated" -mindepth 1 -maxdepth 1 -name '*.rs' ! -name mod.rs -printf '%f\n' | sed 's/\.rs$//' | sort)
        {
          printf '[package]\nname = "catalog-client"\nversion = "0.0.0"\nedition = "2024"\npublish = false\n\n[workspace]\n\n'
          printf '[features]\ndefault = []\n'
          for g in $groups; do printf '%s = []\n' "$g"; done
          printf '\n[dependencies]\nalipay-runtime = { path = "%s/runtime" }\n' "$ROOT"
          printf 'serde = { version = "1", features = ["derive"] }\nserde_json = "1"\n'
        } >"$cat_dir/Cargo.toml"
        printf '//! The whole catalog, generated by alipay-codegen.\n#![allow(missing_docs)]\ninclude!("generated/mod.rs");\n' >"$cat_dir/src/lib.rs"
        seed_lockfile "$cat_dir"
        (cd "$cat_dir" && cargo fetch -q) >&2 || true
        ngroups=$(echo "$groups" | wc -w)
        lines=$(find "$cat_dir/src/generated" -name '*.rs' -print0 | xargs -0 cat | wc -l)
        echo "   catalog crate: $ngroups groups, $lines lines of generated Rust" >&2
        ntrade=$(find "$CATALOG" -name 'alipay.trade.*.yaml' | wc -l)
        if want catalog; then
          if t=$(clean_build "$cat_dir" --features trade); then
            row "downstream: whole-catalog crate, feature 'trade' only ($ntrade methods), clean release build$(usage_note "$cat_dir")" "$(fmt_ns "$t")" "(recorded)" "-"
          else
            skip "whole catalog, trade" "build failed$( [ -f "$cat_dir/oom" ] && echo ': out of memory')$(usage_note "$cat_dir") (log above)"
          fi
          if [ "${BENCH_SKIP_ONE_CRATE_ALL:-0}" = 1 ]; then
            skip "whole catalog as one crate, all groups" "BENCH_SKIP_ONE_CRATE_ALL=1"
          elif t=$(clean_build "$cat_dir" --all-features); then
            row "downstream: whole-catalog crate, all $ngroups groups (8,944 methods, $lines lines), clean release build$(usage_note "$cat_dir")" "$(fmt_ns "$t")" "(recorded)" "-"
          else
            skip "whole catalog, all groups" "build failed$( [ -f "$cat_dir/oom" ] && echo ': out of memory')$(usage_note "$cat_dir") (log above)"
          fi
        fi

        # The same catalog as a facade crate over one crate per product group (groups of more than 250 methods
        # split into parts), written by the generator's supported vendoring command. Cargo then compiles the parts
        # as separate rustc processes, two at a time, and no rustc holds more than one part.
        gc_dir="$WORK/ds/catalog-crates"
        if ! "$CODEGEN" generate --specs "$CATALOG" --out "$gc_dir" --layout crates --crate-name catalog-crates \
            --runtime "{ path = \"$ROOT/runtime\" }" >"$WORK/catalog-crates.log" 2>&1; then
          cat "$WORK/catalog-crates.log" >&2
        fi
        seed_lockfile "$gc_dir"
        (cd "$gc_dir" && cargo fetch -q) >&2 || true
        # The release build of every group is the longest row, so it has its own key (catalog-release); the rows
        # of `catalog` are debug builds (the dev profile), with the one-crate 'trade' build above redone in debug
        # beside them for comparison.
        ds_debug() { # ds_debug <label> <crate dir> [cargo args...]
          local label=$1 dir=$2 t; shift 2
          if t=$(BUILD_PROFILE=dev clean_build "$dir" "$@"); then
            row "downstream: $label, clean debug build$(usage_note "$dir")" "$(fmt_ns "$t")" "(recorded)" "-"
          else
            skip "$label (debug)" "build failed$( [ -f "$dir/oom" ] && echo ': out of memory')$(usage_note "$dir") (log above)"
          fi
        }
        if want catalog; then
          ds_debug "whole-catalog crate, feature 'trade' only" "$cat_dir" --features trade
          ds_debug "whole catalog as group crates, feature 'trade' only" "$gc_dir" --features trade
          ds_debug "whole catalog as group crates + facade (generate --layout crates), all groups (8,944 methods)" "$gc_dir" --features all-groups
        fi
        if want catalog-release; then
          label="whole catalog as group crates + facade (generate --layout crates), all groups (8,944 methods)"
          if t=$(clean_build "$gc_dir" --features all-groups); then
            row "downstream: $label, clean release build$(usage_note "$gc_dir")" "$(fmt_ns "$t")" "(recorded)" "-"
          else
            skip "$label (release)" "build failed$( [ -f "$gc_dir/oom" ] && echo ': out of memory')$(usage_note "$gc_dir") (log above)"
          fi
        fi
      fi
    fi
  fi
fi

# ---------------------------------------------------------------------------------------------------------------
# table

{
  echo
  echo "| figure | measured | target | verdict |"
  echo "|---|---|---|---|"
  for r in "${ROWS[@]}"; do
    IFS='|' read -r f m t v <<<"$r"
    echo "| $f | $m | $t | $v |"
  done
}
if [ ${#NOTES[@]} -gt 0 ]; then
  {
    echo
    echo "Not measured in this run:"
    for n in "${NOTES[@]}"; do echo "- $n"; done
  } | tee -a "${OUT:-/dev/null}"
fi
