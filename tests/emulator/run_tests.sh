#!/bin/sh
# Runs all emulator tests; last line: "N passed, M failed, K skipped". Exit non-zero on failure.
# The interpreter is /usr/bin/python3 unless ESR_PYTHON names another (tests/lib/preamble.sh):
#   ESR_PYTHON=python3 tests/emulator/run_tests.sh [-v] [module ...]
. "$(dirname "$0")/../lib/preamble.sh"
exec "$PY" tests/emulator/run_tests.py "$@"
