#!/bin/sh
# The apply benchmark of tests/bench/bench.py (what it measures, and the environment that
# sizes it, are described there and in tests/bench/README.md).
set -eu
. "$(dirname "$0")/../lib/preamble.sh"
exec "$PY" "$ROOT/tests/bench/bench.py" apply
