#!/usr/bin/python3
"""The JSON Schema and the C validator agree on what a desired-state file is.

Checks that schemas/desired-state.schema.json is a valid JSON Schema 2020-12;
that every example carries the yaml-language-server modeline and is accepted by
the schema and by `$ESR_BIN validate`; that every fixture under
tests/fixtures/valid/ is accepted by both; and that every fixture under
tests/fixtures/invalid/ is rejected by the C validator (exit 1) and, when its
header says `# schema: reject`, by the schema too. Fixtures marked
`# schema: cannot-express` are invalid for reasons JSON Schema cannot see
(an unset variable, a cross-reference, a file over 4 MiB, ...). Then probes
the edges of each value grammar (time values, host:port, URLs, names, enums,
privileges) with small documents both sides must judge as the table says.

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
# The C validator's tables of Elasticsearch's built-in names.
ES_NAMES_PATH = os.path.join(ROOT, "reconciler", "desired", "es_names.c")
ESR_BIN = os.environ.get("ESR_BIN", os.path.join(ROOT, "esreconcile"))
VALIDATE_TIMEOUT_S = 30
# A document whose aliases expand beyond this many nodes counts as rejected
# (an alias bomb): validating it would take forever.
MAX_EXPANDED_NODES = 1000000
CLUSTER_IDS = ("local", "cluster_one", "cluster_two", "cluster_three")
USER_PASSWORD_VARS = ("CCU_PASSWORD", "CSU_PASSWORD", "KIBANA_CCU_PASSWORD")


class Core12Loader(yaml.SafeLoader):
    """PyYAML restricted to the YAML 1.2 core schema; keys are strings, as in
    JSON, and a duplicate key is an error."""

    def construct_mapping(self, node, deep=False):
        mapping = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise yaml.constructor.ConstructorError(
                    None, None, "mapping keys must be scalars", key_node.start_mark)
            if key_node.value in mapping:
                raise yaml.constructor.ConstructorError(
                    None, None, "duplicate key %r" % key_node.value, key_node.start_mark)
            mapping[key_node.value] = self.construct_object(value_node, deep=deep)
        return mapping


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
    """The variables examples/README.md documents, with harmless values; the
    ESR_TEST_* variables stay unset (tests/fixtures/README.md)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ESR_TEST_")}
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
    """(exit code or None, output) of `$ESR_BIN validate --require-env -f path`: every
    ${VAR} resolved, as plan and apply need them."""
    if not (os.path.isfile(ESR_BIN) and os.access(ESR_BIN, os.X_OK)):
        return None, "no executable at ESR_BIN=%s" % ESR_BIN
    try:
        proc = subprocess.run([ESR_BIN, "validate", "--require-env", "-f", path], env=env, cwd=ROOT,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              timeout=VALIDATE_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        return None, "timed out after %ds" % VALIDATE_TIMEOUT_S
    return proc.returncode, proc.stdout.decode("utf-8", "replace")


# Probes of the value grammars both sides implement (time values, host:port,
# URLs, names, enums, privileges): (what, YAML appended to PROBE_BASE, valid?).
# The fixtures hold one example of each rule; these hold each grammar's edges.
PROBE_BASE = "version: 1\nclusters:\n  local:\n    url: https://127.0.0.1:9200\n"


def _remote(body):
    return "remotes:\n  local:\n    a: {%s}\n" % body


def _transport(body):
    return _remote("seeds: ['h:1'], transport: {%s}" % body)


def _role(body):
    return "roles:\n  local:\n    r: {%s}\n" % body


def _index(body):
    return _role("indices: [{%s}]" % body)


def _cluster(body):
    return "  other:\n    url: %s\n" % body


def _user(name, body):
    return "users:\n  local:\n    %s: %s\n" % (name, body)


PROBES = [
    ("ping_schedule 60s", _transport("ping_schedule: 60s"), True),
    ("ping_schedule 5MS", _transport("ping_schedule: 5MS"), True),
    ("ping_schedule '-1'", _transport("ping_schedule: '-1'"), True),
    ("ping_schedule '000'", _transport("ping_schedule: '000'"), True),
    ("ping_schedule ' 5 s '", _transport("ping_schedule: ' 5 s '"), True),
    ("ping_schedule -1s", _transport("ping_schedule: -1s"), True),
    ("ping_schedule 1M", _transport("ping_schedule: 1M"), False),
    ("ping_schedule -2s", _transport("ping_schedule: -2s"), False),
    ("ping_schedule 1.5s", _transport("ping_schedule: 1.5s"), False),
    ("ping_schedule '-0'", _transport("ping_schedule: '-0'"), False),
    ("ping_schedule 5 (integer)", _transport("ping_schedule: 5"), False),
    ("ping_schedule -1 (integer)", _transport("ping_schedule: -1"), False),
    ("timeout 1ms", "    timeout: 1ms\n", True),
    ("timeout 1000micros", "    timeout: 1000micros\n", True),
    ("timeout 999micros", "    timeout: 999micros\n", False),
    ("timeout 0s", "    timeout: 0s\n", False),
    ("timeout '-1'", "    timeout: '-1'\n", False),
    ("seed [::1]:9300", _remote("seeds: ['[::1]:9300']"), True),
    ("seed h:+09300", _remote("seeds: ['h:+09300']"), True),
    ("seed h:65535", _remote("seeds: ['h:65535']"), True),
    ("seed h:65536", _remote("seeds: ['h:65536']"), False),
    ("seed h:0", _remote("seeds: ['h:0']"), False),
    ("seed ::1:9300", _remote("seeds: ['::1:9300']"), False),
    ("seed []:1", _remote("seeds: ['[]:1']"), False),
    ("seed without port", _remote("seeds: ['foo']"), False),
    ("seed with a space", _remote("seeds: ['a b:1']"), False),
    ("seeds empty", _remote("seeds: []"), False),
    ("seeds empty with cluster", _remote("seeds: [], cluster: local"), True),
    ("url HTTPS:// (any case)", _cluster("HTTPS://x:9200"), True),
    ("url ftp://", _cluster("ftp://x"), False),
    ("url https:///x", _cluster("https:///x"), False),
    ("url with a space", _cluster("'https://x y'"), False),
    ("http:// with credentials",
     _cluster("http://x\n    auth: {username: a, password: b}"), False),
    ("http:// allowed",
     _cluster("http://x\n    auth: {username: a, password: b}\n    allow_insecure_http: true"),
     True),
    ("http:// without credentials", _cluster("http://x"), True),
    ("mode SNIFF", _remote("mode: SNIFF, seeds: ['h:1']"), False),
    ("proxy without address", _remote("mode: proxy"), False),
    ("proxy with seeds", _remote("mode: proxy, proxy_address: 'h:1', seeds: ['h:1']"), False),
    ("sniff with server_name", _remote("seeds: ['h:1'], server_name: x"), False),
    ("proxy, empty server_name",
     _remote("mode: proxy, proxy_address: 'h:1', server_name: ''"), True),
    ("node_connections 0x10", _remote("seeds: ['h:1'], node_connections: 0x10"), True),
    ("node_connections 0", _remote("seeds: ['h:1'], node_connections: 0"), False),
    ("compress 'true' (string)", _transport("compress: 'true'"), True),
    ("compress INDEXING_DATA", _transport("compress: INDEXING_DATA"), False),
    ("compress yes", _transport("compress: yes"), False),
    ("cluster privilege MONITOR", _role("cluster: [MONITOR]"), True),
    ("cluster privilege cluster:monitor/*", _role("cluster: ['cluster:monitor/*']"), True),
    ("cluster privilege indices:admin/template/put",
     _role("cluster: ['indices:admin/template/put']"), True),
    ("cluster privilege indices:data/read", _role("cluster: ['indices:data/read']"), False),
    ("index privilege READ", _index("names: a, privileges: [READ]"), True),
    ("index privilege indices:data/read/*",
     _index("names: a, privileges: ['indices:data/read/*']"), True),
    ("index privilege read_ccr", _index("names: a, privileges: [read_ccr]"), False),
    ("index names empty", _index("names: [], privileges: [read]"), False),
    ("index clusters outside remote_indices",
     _index("names: a, privileges: [read], clusters: [x]"), False),
    ("remote_cluster MONITOR_STATS",
     _role("remote_cluster: [{privileges: [MONITOR_STATS], clusters: [x]}]"), False),
    ("role name with inner space", "roles:\n  local:\n    'a b': {}\n", True),
    ("role name with trailing space", "roles:\n  local:\n    'a ': {}\n", False),
    ("role name not ASCII", "roles:\n  local:\n    'r\u00f4le': {}\n", False),
    ("reserved role", "roles:\n  local:\n    superuser: absent\n", False),
    ("built-in user password", _user("kibana", "{password: abcdefg}"), True),
    ("built-in user roles", _user("elastic", "{password: abcdefg, roles: []}"), False),
    ("built-in user absent", _user("elastic", "absent"), False),
    ("password of 6 characters", _user("u", "{password: '%s', roles: []}" % ("\u00e9" * 6)), True),
    ("password of 5 characters", _user("u", "{password: abcde, roles: []}"), False),
    ("user without roles", _user("u", "{}"), False),
    ("bcrypt $2y$ cost 04",
     _user("u", "{password_hash: '$2y$04$%s', roles: []}" % ("a" * 53)), True),
    ("bcrypt cost 03", _user("u", "{password_hash: '$2a$03$%s', roles: []}" % ("a" * 53)), False),
    ("bcrypt cost 4 (one digit)",
     _user("u", "{password_hash: '$2a$4$%s', roles: []}" % ("a" * 54)), False),
    ("bcrypt $2x$", _user("u", "{password_hash: '$2x$10$%s', roles: []}" % ("a" * 53)), False),
    ("PBKDF2 salt without padding, 16-byte key",
     _user("u", "{password_hash: '{PBKDF2}1000$MDEyMzQ1Njc$%s==', roles: []}" % ("A" * 22)), True),
    ("PBKDF2 48-byte key", _user("u", "{password_hash: '{PBKDF2}1000$MDEyMzQ1Njc$%s', roles: []}"
                                 % ("A" * 64)), True),
    ("PBKDF2 salt of 7 bytes",
     _user("u", "{password_hash: '{PBKDF2}1000$MDEyMzQ1Ng$%s==', roles: []}" % ("A" * 22)), False),
    ("PBKDF2 salt of 5 characters",
     _user("u", "{password_hash: '{PBKDF2}1000$MDEyMzQ1N$%s==', roles: []}" % ("A" * 22)), False),
    ("PBKDF2 key without padding",
     _user("u", "{password_hash: '{PBKDF2}1000$MDEyMzQ1Njc$%s', roles: []}" % ("A" * 43)), False),
    ("PBKDF2 key of 18 bytes",
     _user("u", "{password_hash: '{PBKDF2}1000$MDEyMzQ1Njc$%s', roles: []}" % ("A" * 24)), False),
    ("PBKDF2 iterations 5000",
     _user("u", "{password_hash: '{PBKDF2}5000$MDEyMzQ1Njc$%s==', roles: []}" % ("A" * 22)), False),
    ("SSHA256 hash", _user("u", "{password_hash: '{SSHA256}abc', roles: []}"), False),
    ("metadata key _x", _user("u", "{roles: [], metadata: {_x: 1}}"), False),
    ("prune ALL", "policy: {prune: {roles: ALL}}\n", False),
]


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


def case_insensitive(word):
    """The schema's spelling of a case-insensitive name: [Mm][Oo]... ."""
    return "".join("[%s%s]" % (c.upper(), c.lower()) if c.isalpha()
                   else "\\" + c if c in "^$\\.*+?()[]{}|" else c for c in word)


def check_names_match_validator(results, schema):
    """The schema's lists of reserved names and privileges are es_names.c's."""
    try:
        with open(ES_NAMES_PATH, encoding="utf-8") as f:
            source = f.read()
    except OSError as e:
        results.check(False, "schema names match %s" % rel(ES_NAMES_PATH), str(e))
        return

    def table(name):
        found = re.search(r"\b%s\[\] = \{(.*?)\};" % name, source, re.S)
        return re.findall(r'"([^"]+)"', found.group(1)) if found else []

    defs = schema["$defs"]
    remote_cluster = defs["role"]["properties"]["remote_cluster"]["items"]["properties"]
    lists = [
        ("reserved roles", "reserved_roles", defs["roleName"]["not"]["enum"]),
        ("reserved users", "reserved_users", list(defs["clusterUsers"]["properties"])),
        ("cluster privileges", "cluster_privileges",
         defs["clusterPrivileges"]["items"]["anyOf"][0]["enum"]),
        ("index privileges", "index_privileges",
         defs["indexPrivileges"]["items"]["anyOf"][0]["enum"]),
        ("remote_cluster privileges", "remote_cluster_privileges",
         remote_cluster["privileges"]["items"]["anyOf"][0]["enum"]),
    ]
    for what, c_table, names in lists:
        c_names = table(c_table)
        results.check(bool(c_names) and set(names) == set(c_names),
                      "schema's %s are the validator's" % what,
                      "only in the schema: %s\nonly in %s: %s" % (
                          sorted(set(names) - set(c_names)), c_table,
                          sorted(set(c_names) - set(names))))
    # Privilege names are case-insensitive: the enum (for completion) has a
    # pattern twin that must list the same names.
    for what in ("clusterPrivileges", "indexPrivileges"):
        alternatives = defs[what]["items"]["anyOf"]
        want = "^(?:%s)$" % "|".join(case_insensitive(n) for n in alternatives[0]["enum"])
        results.check(alternatives[1].get("pattern") == want,
                      "schema's %s pattern spells its enum in any case" % what,
                      "want the pattern:\n%s" % want)


def check_probe(results, validator, env, path, what, valid):
    errors = schema_errors(validator, path)
    results.check((not errors) == valid,
                  "schema %s probe: %s" % ("accepts" if valid else "rejects", what),
                  "\n".join(errors) or "accepted")
    code, output = run_validate(path, env)
    results.check(code == (0 if valid else 1),
                  "validate %s probe: %s" % ("accepts" if valid else "rejects", what),
                  "exit %s\n%s" % (code, output))


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
    check_names_match_validator(results, schema)

    # the deployment recipes (examples/systemd, k8s, ci) are not desired state
    recipes = tuple(os.path.join(ROOT, "examples", d) + os.sep for d in ("systemd", "k8s", "ci"))
    examples = sorted(p for p in glob.glob(os.path.join(ROOT, "examples", "**", "*.y*ml"), recursive=True)
                      if not p.startswith(recipes))
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
        probe_path = os.path.join(tmp, "probe.yaml")
        for what, text, expect_valid in PROBES:
            with open(probe_path, "w", encoding="utf-8") as f:
                f.write(PROBE_BASE + text)
            check_probe(results, validator, env, probe_path, what, expect_valid)

    print("%d passed, %d failed" % (results.passed, results.failed))
    return 1 if results.failed else 0


if __name__ == "__main__":
    sys.exit(main())
