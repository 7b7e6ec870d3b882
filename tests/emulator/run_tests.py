#!/usr/bin/env python3
"""Runs every emulator test module and prints, as its last line, exactly
"N passed, M failed, K skipped" (test cases); exits non-zero on any failure.

  python3 tests/emulator/run_tests.py [-v] [module ...]

test_client needs Debian's python3-elasticsearch, installed for /usr/bin/python3 only:
when the running interpreter lacks it and /usr/bin/python3 has it, test_client runs
under /usr/bin/python3 in a subprocess and its counts are merged."""

import importlib
import json
import os
import subprocess
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
MODULES = ["test_emulator", "test_fidelity", "test_api_keys", "test_seed_guide", "test_node_config", "test_client"]


def have_client(python):
    r = subprocess.run([python, "-c", "import elasticsearch"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return r.returncode == 0


def run(modules, verbosity):
    sys.path.insert(0, HERE)
    suite = unittest.TestSuite()
    for m in modules:
        suite.addTests(unittest.defaultTestLoader.loadTestsFromModule(importlib.import_module(m)))
    res = unittest.TextTestRunner(verbosity=verbosity, stream=sys.stderr).run(suite)
    failed = len(res.failures) + len(res.errors) + len(res.unexpectedSuccesses)
    skipped = len(res.skipped)
    return res.testsRun - failed - skipped, failed, skipped


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("-")]
    verbosity = 2 if "-v" in sys.argv else 1
    as_json = "--json" in sys.argv
    modules = args or list(MODULES)
    sub = None
    if "test_client" in modules and not as_json:
        try:
            import elasticsearch  # noqa: F401
        except ImportError:
            if os.path.exists("/usr/bin/python3") and have_client("/usr/bin/python3"):
                modules.remove("test_client")
                sub = "/usr/bin/python3"
    p, f, s = run(modules, verbosity)
    if sub:
        r = subprocess.run([sub, os.path.abspath(__file__), "--json", "test_client"] + (["-v"] if verbosity > 1 else []),
                           stdout=subprocess.PIPE)
        try:
            c = json.loads(r.stdout.decode().strip().splitlines()[-1])
            p, f, s = p + c["passed"], f + c["failed"], s + c["skipped"]
        except (ValueError, IndexError, KeyError):
            f += 1
    if as_json:
        print(json.dumps({"passed": p, "failed": f, "skipped": s}))
    else:
        print("%d passed, %d failed, %d skipped" % (p, f, s))
    sys.exit(1 if f else 0)


if __name__ == "__main__":
    main()
