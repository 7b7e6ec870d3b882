#!/bin/sh
# make bench: every benchmark, one after the other. Each prints its figures
# (wall time, requests sent, peak memory); tests/bench/README.md records them.
set -eu
. "$(dirname "$0")/../lib/preamble.sh"
status=0
for b in tests/bench/bench_*.sh; do
	[ -f "$b" ] || continue
	echo "== $b"
	sh "$b" || status=1
done
exit $status
