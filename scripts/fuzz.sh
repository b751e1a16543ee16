#!/usr/bin/env bash
# Coverage-guided fuzzing with libFuzzer of everything that parses untrusted or hand-written input: webhook
# payloads, every signature scheme's headers, matchers, durations and timestamps, the config file, and
# templates rendered with alert data (Sources/AlertRelayFuzzing/Harness.swift). Seeds are in Tests/Fuzz/corpus;
# new interesting inputs go to a scratch copy, so the repository stays clean.
#
#   scripts/fuzz.sh                  # 10 minutes
#   FUZZ_SECONDS=60 scripts/fuzz.sh  # CI runs a short round (scripts/test.sh)
#
# A crash leaves its input in Tests/Fuzz/crashes/; fix the cause, then move the file to
# Tests/Fuzz/regressions/ so that the test suite replays it forever (AlertRelayFuzzingTests).
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${FUZZ_SECONDS:-600}
swift build --build-path .build-fuzz --product AlertRelayFuzz \
  -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library -Xswiftc -DFUZZING
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
cp Tests/Fuzz/corpus/* "$scratch"/
mkdir -p Tests/Fuzz/crashes
echo "fuzz: $seconds s over $(ls Tests/Fuzz/corpus | wc -l) seeds"
# Leak detection is off: swift-corelibs-foundation's NSRegularExpression leaks on an invalid pattern (not ours).
status=0
ASAN_OPTIONS=detect_leaks=0 .build-fuzz/debug/AlertRelayFuzz "$scratch" Tests/Fuzz/regressions -max_total_time="$seconds" \
  -max_len=65536 -timeout=10 -rss_limit_mb=2048 -artifact_prefix=Tests/Fuzz/crashes/ -print_final_stats=1 \
  > "$scratch.log" 2>&1 || status=$?
grep -E "^(Done|stat::)" "$scratch.log" || true
if [ "$status" != 0 ]; then
  tail -60 "$scratch.log"
  echo "fuzz: FAILED; the input is in Tests/Fuzz/crashes/"
  exit 1
fi
rm -f "$scratch.log"
echo "fuzz: no crash"
