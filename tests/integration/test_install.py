#!/usr/bin/env python3
"""`make install DESTDIR=... PREFIX=/usr`: the binary, the schema, the man page
and the bash completion land where they belong and uninstall removes them; the
man page renders without warnings and names every command and option; the
completion offers every command and option (and nothing else) and the cluster
ids of the -f files.

Standard library only (bash and groff when present). Last line: "N passed,
M failed"; exit status 1 on any failure.
"""

import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from esrtest import ESR, ROOT, Suite  # noqa: E402

suite = Suite()
check = suite.check
# Commands as their --help is asked for, and as the completion sees them.
COMMANDS = [["validate"], ["plan"], ["apply"], ["watch"], ["export"], ["trust", "check"], ["trust", "bundle"],
            ["render"]]
LONG = {"-f": "--file", "-o": "--output", "-h": "--help", "-v": "--verbose"}
INSTALLED = {
    "usr/bin/esreconcile": 0o755,
    "usr/share/esreconcile/schemas/desired-state.schema.json": 0o644,
    "usr/share/man/man1/esreconcile.1": 0o644,
    "usr/share/bash-completion/completions/esreconcile": 0o644,
}


def make(*args):
    # -o esreconcile: install the binary this run tests (plain or sanitized), not a rebuild
    return subprocess.run(["make", "--no-print-directory", "-o", "esreconcile"] + list(args), cwd=ROOT,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True)


def options_of(command):
    """The options the command's --help lists: on its usage line and its option lines."""
    p = subprocess.run([ESR] + command + ["--help"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       universal_newlines=True)
    check(p.returncode == 0, "%s --help" % command)
    usage = re.compile(r"^(usage:)?\s*esreconcile %s\b" % " ".join(command))
    lines = [line for line in p.stdout.splitlines() if usage.match(line) or re.match(r"^\s+-", line)]
    return set(re.findall(r"(?<![\w-])(--[a-z][a-z-]*|-[a-z])(?![\w-])", "\n".join(lines)))


@suite.test
def install_and_uninstall_put_and_remove_every_file():
    with tempfile.TemporaryDirectory(prefix="esr-install-") as dest:
        r = make("install", "DESTDIR=" + dest, "PREFIX=/usr")
        check(r.returncode == 0, r.stdout)
        for path, mode in INSTALLED.items():
            full = os.path.join(dest, path)
            check(os.path.isfile(full), path + " installed")
            check(stat.S_IMODE(os.stat(full).st_mode) == mode, "%s mode %o" % (path, mode))
        v = subprocess.run([os.path.join(dest, "usr/bin/esreconcile"), "--version"], stdout=subprocess.PIPE,
                           universal_newlines=True)
        check(v.returncode == 0 and v.stdout.startswith("esreconcile "), "the installed binary runs")
        r = make("uninstall", "DESTDIR=" + dest, "PREFIX=/usr")
        check(r.returncode == 0, r.stdout)
        left = [os.path.join(d, f) for d, _, files in os.walk(dest) for f in files]
        check(not left, "uninstall leaves nothing: %s" % left)


@suite.test
def the_man_page_renders_and_covers_every_command_and_option():
    path = os.path.join(ROOT, "docs", "esreconcile.1")
    with open(path) as f:
        source = f.read()
    text = source.replace("\\-", "-").replace("\\fB", "").replace("\\fI", "").replace("\\fR", "")
    if shutil.which("groff"):
        g = subprocess.run(["groff", "-man", "-ww", "-z", path], stderr=subprocess.PIPE, universal_newlines=True)
        check(g.returncode == 0 and not g.stderr, "groff warnings: %s" % g.stderr)
    for command in COMMANDS:
        check(re.search(r"\.B esreconcile %s\b" % " ".join(command), text), "%s in the SYNOPSIS" % command)
        for option in options_of(command):
            check(option in text, "%s: %s is documented" % (" ".join(command), option))
    for code in ("0", "1", "2", "3", "64"):
        check(re.search(r"^\.B %s$" % code, source, re.M), "exit code %s documented" % code)
    for section in ("EXIT STATUS", "FILES", "EXAMPLES"):
        check(".SH " + section in source, section)


def complete(words, cwd=None):
    """What the installed completion offers for words (the last one being completed)."""
    script = ('source %s; COMP_WORDS=(%s); COMP_CWORD=%d; _esreconcile; printf "%%s\\n" "${COMPREPLY[@]}"'
              % (os.path.join(ROOT, "completions", "esreconcile.bash"),
                 " ".join("'%s'" % w for w in words), len(words) - 1))
    p = subprocess.run(["bash", "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       universal_newlines=True, cwd=cwd)
    check(p.returncode == 0 and not p.stderr, "completion ran: %r" % p.stderr)
    return set(line for line in p.stdout.splitlines() if line)


@suite.test
def completion_offers_commands_options_and_cluster_ids():
    if not shutil.which("bash"):
        print("     no bash: skipped")
        return
    check({"validate", "plan", "apply", "watch", "export", "trust", "render"} <= complete(["esreconcile", ""]), "commands")
    check(complete(["esreconcile", "trust", ""]) == {"check", "bundle"}, "trust's subcommands")
    for command in COMMANDS:
        offered = complete(["esreconcile"] + command + ["-"])
        # every command takes -h and --help, and the long form of a short option it lists
        documented = options_of(command) | {"-h", "--help"}
        documented |= {LONG[o] for o in documented if o in LONG and LONG[o] != "--verbose"}
        check(offered <= documented, "%s: %s do not exist" % (command, offered - documented))
        check(documented <= offered, "%s: %s not offered" % (command, documented - offered))
    with tempfile.TemporaryDirectory(prefix="esr-complete-") as tmp:
        os.mkdir(os.path.join(tmp, "desired"))
        with open(os.path.join(tmp, "desired", "a.yaml"), "w") as f:
            f.write("version: 1\nclusters:\n    local:\n        url: https://h:1\n    cluster-2: {url: 'x'}\n"
                    "roles:\n    local: {}\n")
        with open(os.path.join(tmp, "one.yml"), "w") as f:
            f.write("# c\nclusters:\n  third:\n    url: https://h\nversion: 1\n")
        check(complete(["esreconcile", "plan", "-f", "desired", "-f", "one.yml", "--cluster", ""], cwd=tmp)
              == {"local", "cluster-2", "third"}, "cluster ids from -f files and directories")
        check(complete(["esreconcile", "watch", "--log-format", ""]) == {"text", "json"}, "log formats")
        check(complete(["esreconcile", "plan", "-o", ""]) == {"text", "json"}, "output formats")


suite.finish()
