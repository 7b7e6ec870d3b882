#!/usr/bin/env python3
"""Elasticsearch emulator for esreconcile tests: the command-line entry point.

    python3 tests/emulator/esemu.py --state-dir DIR [--clusters a,b] [options]

The emulator is the package esemu/ next to this file (see its __init__.py for
the modules); README.md here lists every option and the control API."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from esemu.cli import main  # noqa: E402

if __name__ == "__main__":
    main()
