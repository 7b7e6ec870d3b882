#!/bin/sh
# make bench: every benchmark, one after the other, then every figure that has a
# target, together (each benchmark appends those lines to $BENCH_SUMMARY).
# tests/bench/README.md records the figures and how to run a smaller version.
set -eu
. "$(dirname "$0")/../lib/preamble.sh"
BENCH_SUMMARY=$(mktemp)
export BENCH_SUMMARY
trap 'rm -f "$BENCH_SUMMARY"' EXIT INT TERM
started=$(date +%s)
status=0
for b in loader plan apply scaling; do
	echo "== tests/bench/bench_$b.sh"
	sh "tests/bench/bench_$b.sh" || status=1
done
echo "== targets ($(date -u '+%Y-%m-%d %H:%M UTC'), $(($(date +%s) - started)) s in all; a missed target does not fail the run)"
cat "$BENCH_SUMMARY"
exit $status
