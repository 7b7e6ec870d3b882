#!/usr/bin/python3
"""Runs the golden plan cases: tests/plan_cases/<NNN-name>/ (see README.md).

For every case, runs the driver (build/<...>/tools/plan_case CASE_DIR) and
compares its JSON with the case's expected.json after parsing both, so layout
does not matter. Ends with the line "N passed, M failed"; exits 1 when a case
fails.

usage: run.py [--update] [CASE...]
  --update (or UPDATE=1)  rewrite expected.json with what the driver prints
  CASE                    only the cases whose directory name contains CASE
environment: BUILD (build/default), PLAN_CASE (the driver, overrides BUILD),
  VALGRIND=1 (run the driver under valgrind, failing on errors and leaks)
"""
import difflib
import json
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
VALGRIND = ["valgrind", "--quiet", "--error-exitcode=99", "--leak-check=full",
            "--show-leak-kinds=definite,indirect", "--errors-for-leak-kinds=definite,indirect"]


def pretty(doc):
    return json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False).splitlines(keepends=True)


# env names whose values are secrets: the plan shows every other value
SECRET_NAME = re.compile(r"PASSWORD|SECRET|API_KEY|HASH|CREDENTIAL|TOKEN")


def secrets_of(case_dir):
    """The values a plan must never show: the values of the case's env file
    whose names say they are secrets, and the marker CANARY (literal passwords)."""
    values = ["canary"]
    try:
        with open(os.path.join(case_dir, "env"), encoding="utf-8") as f:
            for line in f:
                line = line.rstrip("\r\n")
                if line and not line.startswith("#") and "=" in line:
                    name, value = line.split("=", 1)
                    if value and SECRET_NAME.search(name):
                        values.append(value.lower())
    except FileNotFoundError:
        pass
    return values


def run_case(driver, case_dir, update):
    """Returns None when the case passes, else what went wrong."""
    cmd = [driver, case_dir]
    if os.environ.get("VALGRIND") == "1":
        cmd = VALGRIND + cmd
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if proc.returncode != 0:
        return "driver exited with %d:\n%s" % (proc.returncode, proc.stderr)
    try:
        actual = json.loads(proc.stdout)
    except ValueError as e:
        return "driver printed no JSON (%s):\n%s" % (e, proc.stdout[:2000])
    leaked = [v for v in secrets_of(case_dir) if v in proc.stdout.lower()]
    if leaked:
        return "the plan shows a secret (%d secret value(s) from env, or CANARY)" % len(leaked)
    expected_path = os.path.join(case_dir, "expected.json")
    if update:
        with open(expected_path, "w", encoding="utf-8") as f:
            json.dump(actual, f, indent=2, ensure_ascii=False)
            f.write("\n")
        return None
    try:
        with open(expected_path, encoding="utf-8") as f:
            expected = json.load(f)
    except FileNotFoundError:
        return "no expected.json (run with --update to create it)"
    except ValueError as e:
        return "expected.json does not parse: %s" % e
    if actual == expected:
        return None
    diff = difflib.unified_diff(pretty(expected), pretty(actual),
                                "expected.json", "actual", n=4)
    return "plan differs:\n" + "".join(diff)


def main(argv):
    update = os.environ.get("UPDATE") == "1"
    filters = []
    for arg in argv:
        if arg == "--update":
            update = True
        elif arg.startswith("-"):
            print(__doc__, file=sys.stderr)
            return 64
        else:
            filters.append(arg)
    build = os.environ.get("BUILD", "build/default")
    driver = os.environ.get("PLAN_CASE") or os.path.join(ROOT, build, "tools", "plan_case")
    cases = sorted(d for d in os.listdir(HERE)
                   if os.path.isfile(os.path.join(HERE, d, "desired.yaml"))
                   and (not filters or any(f in d for f in filters)))
    if not os.access(driver, os.X_OK):
        print("plan_cases: no driver at %s (run make unit-tests)" % driver)
        print("0 passed, 1 failed")
        return 1
    passed = failed = 0
    for name in cases:
        problem = run_case(driver, os.path.join(HERE, name), update)
        if problem is None:
            passed += 1
            print("ok   %s%s" % (name, " (expected.json written)" if update else ""))
        else:
            failed += 1
            print("FAIL %s: %s" % (name, problem.rstrip()))
    if not cases:
        print("plan_cases: no case matched")
        failed += 1
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
