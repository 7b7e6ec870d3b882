#!/bin/sh
# Runs all emulator tests; last line: "N passed, M failed, K skipped". Exit non-zero on failure.
# PYTHON=/usr/bin/python3 tests/emulator/run_tests.sh  to choose the interpreter (default: python3).
cd "$(dirname "$0")" && exec "${PYTHON:-python3}" run_tests.py "$@"
