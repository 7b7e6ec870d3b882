#!/usr/bin/python3
"""The JSON Schema and the C validator agree on what a desired-state file is.

Checks that schemas/desired-state.schema.json is a valid JSON Schema 2020-12;
that every example carries the yaml-language-server modeline and is accepted by
the schema and by `$ESR_BIN validate`; that every fixture under
tests/fixtures/valid/ is accepted by both; and that every fixture under
tests/fixtures/invalid/ is rejected by the C validator (exit 1) and, when its
header says `# schema: reject`, by the schema too. Fixtures marked
`# schema: cannot-express` are invalid for reasons JSON Schema cannot see
(an unset variable, a cross-reference, a file over 4 MiB, ...).

YAML is read the way editors read it (the YAML language server uses YAML 1.2):
core-schema scalars only, so `yes` is a string, not a boolean, and duplicate
keys are an error. Runs under /usr/bin/python3 with python3-jsonschema and
python3-yaml. Prints `N passed, M failed` last; exits 1 on any failure.
"""
import glob
import json
import os
import re
import subprocess
import sys
import tempfile

import jsonschema
import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCHEMA_PATH = os.path.join(ROOT, "schemas", "desired-state.schema.json")
ESR_BIN = os.environ.get("ESR_BIN", os.path.join(ROOT, "esreconcile"))
VALIDATE_TIMEOUT_S = 30
# A document whose aliases expand beyond this many nodes counts as rejected
# (an alias bomb): validating it would take forever.
MAX_EXPANDED_NODES = 1000000
CLUSTER_IDS = ("local", "cluster_one", "cluster_two", "cluster_three")
USER_PASSWORD_VARS = ("CCU_PASSWORD", "CSU_PASSWORD", "KIBANA_CCU_PASSWORD")


class Core12Loader(yaml.SafeLoader):
    """PyYAML restricted to the YAML 1.2 core schema, without duplicate keys."""

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, "duplicate key %r" % (key,), key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


Core12Loader.yaml_implicit_resolvers = {}
Core12Loader.add_implicit_resolver(
    "tag:yaml.org,2002:null", re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""])
Core12Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"))
Core12Loader.add_implicit_resolver(
    "tag:yaml.org,2002:int", re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$"),
    list("-+0123456789"))
Core12Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
               r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"),
    list("-+.0123456789"))


def _construct_bool(loader, node):
    return loader.construct_scalar(node).lower() == "true"


def _construct_int(loader, node):
    text = loader.construct_scalar(node)
    if text.startswith("0o"):
        return int(text[2:], 8)
    if text.startswith("0x"):
        return int(text[2:], 16)
    return int(text, 10)


def _construct_float(loader, node):
    text = loader.construct_scalar(node).lower()
    if text.endswith("inf"):
        return float("-inf") if text.startswith("-") else float("inf")
    if text == ".nan":
        return float("nan")
    return float(text)


Core12Loader.add_constructor("tag:yaml.org,2002:bool", _construct_bool)
Core12Loader.add_constructor("tag:yaml.org,2002:int", _construct_int)
Core12Loader.add_constructor("tag:yaml.org,2002:float", _construct_float)


def expanded_size(value, memo):
    """Node count with aliases expanded, in time linear in the distinct nodes."""
    key = id(value)
    if key in memo:
        return memo[key]
    if isinstance(value, dict):
        size = 1 + sum(expanded_size(k, memo) + expanded_size(v, memo) for k, v in value.items())
    elif isinstance(value, list):
        size = 1 + sum(expanded_size(v, memo) for v in value)
    else:
        size = 1
    memo[key] = size
    return size


def schema_errors(validator, path):
    """The schema's complaints about a file, as text; empty when it is accepted."""
    try:
        with open(path, "rb") as f:
            doc = yaml.load(f, Loader=Core12Loader)
    except (yaml.YAMLError, UnicodeDecodeError) as e:
        return ["YAML: %s" % str(e).replace("\n", " ")]
    if expanded_size(doc, {}) > MAX_EXPANDED_NODES:
        return ["YAML: aliases expand beyond %d nodes" % MAX_EXPANDED_NODES]
    errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path))
    return ["/%s: %s" % ("/".join(str(p) for p in e.absolute_path), e.message) for e in errors]


def fixture_header(path):
    """(expect, schema) from the fixture's `# expect:` and `# schema:` lines."""
    expect, schema = None, None
    with open(path, "rb") as f:
        for raw in f.read(4096).split(b"\n")[:10]:
            line = raw.decode("utf-8", "replace").strip()
            if line.startswith("# expect:"):
                expect = line[len("# expect:"):].strip()
            elif line.startswith("# schema:"):
                schema = line[len("# schema:"):].strip()
    return expect, schema


def make_ca_file(directory):
    """A real self-signed PEM certificate, in case validate reads CA files."""
    path = os.path.join(directory, "ca.pem")
    try:
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
             "ec_paramgen_curve:prime256v1", "-nodes", "-keyout",
             os.path.join(directory, "ca.key"), "-out", path, "-days", "1",
             "-subj", "/CN=esreconcile test CA"],
            check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=30)
    except (OSError, subprocess.SubprocessError):
        with open(path, "w") as f:
            f.write("not a certificate: openssl was not available\n")
    return path


def validator_env(ca_file):
    """The variables examples/README.md documents, with harmless values."""
    env = dict(os.environ)
    for port, cid in enumerate(CLUSTER_IDS, start=9200):
        prefix = "ES_" + cid.upper()
        env[prefix + "_URL"] = "https://127.0.0.1:%d" % port
        env[prefix + "_CA"] = ca_file
        env[prefix + "_PASSWORD"] = "test-password-" + cid
        env[prefix + "_TRANSPORT_CA"] = ca_file
    for var in USER_PASSWORD_VARS:
        env[var] = "test-password-" + var.lower()
    return env


def run_validate(path, env):
    """(exit code or None, output) of `$ESR_BIN validate -f path`."""
    if not (os.path.isfile(ESR_BIN) and os.access(ESR_BIN, os.X_OK)):
        return None, "no executable at ESR_BIN=%s" % ESR_BIN
    try:
        proc = subprocess.run([ESR_BIN, "validate", "-f", path], env=env, cwd=ROOT,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              timeout=VALIDATE_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        return None, "timed out after %ds" % VALIDATE_TIMEOUT_S
    return proc.returncode, proc.stdout.decode("utf-8", "replace")


class Results:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def check(self, ok, name, detail=""):
        if ok:
            self.passed += 1
            print("ok   %s" % name)
        else:
            self.failed += 1
            print("FAIL %s" % name)
            for line in detail.strip().splitlines()[:12]:
                print("       %s" % line)


def rel(path):
    return os.path.relpath(path, ROOT)


def check_accepted(results, validator, env, path):
    errors = schema_errors(validator, path)
    results.check(not errors, "schema accepts %s" % rel(path), "\n".join(errors))
    code, output = run_validate(path, env)
    results.check(code == 0, "validate accepts %s" % rel(path),
                  "exit %s\n%s" % (code, output))


def check_modeline(results, path):
    schema_ref = os.path.relpath(SCHEMA_PATH, os.path.dirname(path))
    want = "# yaml-language-server: $schema=%s" % schema_ref
    with open(path, encoding="utf-8") as f:
        first = f.readline().rstrip("\n")
    results.check(first == want, "modeline in %s" % rel(path),
                  "first line %r, want %r" % (first, want))


def check_invalid_fixture(results, validator, env, path):
    expect, schema_mode = fixture_header(path)
    results.check(expect is not None and schema_mode in ("reject", "cannot-express"),
                  "header of %s" % rel(path),
                  "want '# expect: LINE:COL: MESSAGE' and '# schema: reject|cannot-express'")
    if schema_mode == "reject":
        results.check(bool(schema_errors(validator, path)), "schema rejects %s" % rel(path),
                      "the schema accepts it; expected: %s" % expect)
    code, output = run_validate(path, env)
    results.check(code == 1, "validate rejects %s" % rel(path),
                  "exit %s (want 1); expected: %s\n%s" % (code, expect, output))


def main():
    results = Results()
    with open(SCHEMA_PATH, encoding="utf-8") as f:
        schema = json.load(f)
    try:
        jsonschema.Draft202012Validator.check_schema(schema)
        results.check(True, "schema is valid JSON Schema 2020-12")
    except jsonschema.exceptions.SchemaError as e:
        results.check(False, "schema is valid JSON Schema 2020-12", str(e))
    results.check(schema.get("$schema") == "https://json-schema.org/draft/2020-12/schema",
                  "schema declares draft 2020-12")
    # No format checker: formats are annotations only, as in most editors.
    validator = jsonschema.Draft202012Validator(schema)

    examples = sorted(glob.glob(os.path.join(ROOT, "examples", "**", "*.yaml"), recursive=True)
                      + glob.glob(os.path.join(ROOT, "examples", "**", "*.yml"), recursive=True))
    results.check(bool(examples), "examples exist")
    valid = sorted(glob.glob(os.path.join(ROOT, "tests", "fixtures", "valid", "*.yaml")))
    invalid = sorted(glob.glob(os.path.join(ROOT, "tests", "fixtures", "invalid", "*.yaml")))
    results.check(bool(valid) and bool(invalid), "fixtures exist",
                  "%d valid, %d invalid under tests/fixtures/" % (len(valid), len(invalid)))

    with tempfile.TemporaryDirectory(prefix="esr-schema-") as tmp:
        env = validator_env(make_ca_file(tmp))
        for path in examples:
            check_modeline(results, path)
            check_accepted(results, validator, env, path)
        for path in valid:
            check_accepted(results, validator, env, path)
        for path in invalid:
            check_invalid_fixture(results, validator, env, path)

    print("%d passed, %d failed" % (results.passed, results.failed))
    return 1 if results.failed else 0


if __name__ == "__main__":
    sys.exit(main())
