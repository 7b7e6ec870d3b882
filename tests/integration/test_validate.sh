#!/bin/sh
# `esreconcile validate` at the command line: every invalid fixture gives its
# expected first diagnostic and exit 1, every valid fixture exit 0; JSON output,
# merging several files, directories, the design example, usage errors, the
# 4 MiB cap, and that no secret ever shows in the output (the canary test).
# Ends with "N passed, M failed"; exits 1 on any failure.
set -u
. "$(dirname "$0")/../lib/preamble.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Variables the fixtures expect to be unset, and those the valid ones need.
unset ESR_TEST_UNSET_PASSWORD ESR_TEST_ROLE ESR_TEST_NAME ES_LOCAL_URL
export ES_LOCAL_PASSWORD=test-password-local ES_CLUSTER_ONE_PASSWORD=test-password-one \
	CCU_PASSWORD=test-password-ccu

# run NAME WANT_RC ARGS...: runs validate, output in $tmp/out and $tmp/err
run() {
	name=$1
	want=$2
	shift 2
	rc=0
	"$ESR_BIN" "$@" >"$tmp/out" 2>"$tmp/err" || rc=$?
	if [ "$rc" = "$want" ]; then
		return 0
	fi
	cat "$tmp/out" "$tmp/err" >"$tmp/both"
	fail "$name: exit $rc, want $want" "$tmp/both"
	return 1
}

expect_stderr() { # name text
	if grep -qF -- "$2" "$tmp/err"; then
		ok "$1"
	else
		echo "want: $2" >"$tmp/both"
		cat "$tmp/err" >>"$tmp/both"
		fail "$1" "$tmp/both"
	fi
}

if [ ! -x "$ESR_BIN" ]; then
	fail "no executable at ESR_BIN=$ESR_BIN"
	summary
	exit 1
fi

# ---- every invalid fixture: exit 1 and its expected first diagnostic (with
# --require-env, as plan and apply load them: unset variables are errors)
for f in tests/fixtures/invalid/*.yaml; do
	expect=$(sed -n 's/^# expect: //p' "$f" | head -n 1)
	if [ -z "$expect" ]; then
		fail "$f: no '# expect:' line"
		continue
	fi
	loc=${expect%%: *}
	msg=${expect#*: }
	run "$f" 1 validate --require-env -f "$f" || continue
	first=$(grep -m1 ': error: ' "$tmp/err")
	if [ "$first" = "$f:$loc: error: $msg" ]; then
		ok "$f"
	else
		printf 'want: %s\nfirst: %s\n' "$f:$loc: error: $msg" "$first" >"$tmp/both"
		fail "$f" "$tmp/both"
	fi
done

# ---- every valid fixture: exit 0, nothing on stdout, a summary on stderr
for f in tests/fixtures/valid/*.yaml; do
	run "$f" 0 validate -f "$f" || continue
	if [ -s "$tmp/out" ] || ! grep -q '^valid: ' "$tmp/err"; then
		fail "$f: stdout should be empty and stderr hold the summary" "$tmp/err"
	else
		ok "$f"
	fi
done

# ---- the example of docs/design.md §1, as written, with its variables set
mkdir -p "$tmp/design/certs"
cp tests/fixtures/valid/certs/ca.pem "$tmp/design/certs/http-ca.pem"
cp tests/fixtures/valid/certs/ca.pem "$tmp/design/certs/local-transport-ca.pem"
cp tests/fixtures/valid/certs/ca.pem "$tmp/design/certs/one-transport-ca.pem"
printf 'kibana-system-password\n' >"$tmp/design/kibana_system"
sed -n '/^```yaml$/,/^```$/p' docs/design.md | sed '1d;$d' |
	sed "s|/run/secrets/kibana_system|$tmp/design/kibana_system|" >"$tmp/design/design.yaml"
if ES_ONE_API_KEY=test-api-key run "design example" 0 validate -f "$tmp/design/design.yaml"; then
	expect_stderr "design example summary" "valid: 2 clusters, 4 remotes, 3 roles, 2 users (1 file)"
fi

# ---- without --require-env, what is not set is a placeholder, named on one line
for f in tests/fixtures/invalid/unset-variable.yaml tests/fixtures/invalid/unreadable-file-interpolation.yaml; do
	if run "$f without --require-env" 0 validate -f "$f"; then
		expect_stderr "$f: what was not resolved" "not checked without their values:"
	fi
done

# ---- -o json: an array of {file, line, column, severity, code, message}
f=tests/fixtures/invalid/cluster-unknown-key.yaml
if run "json output on an invalid file" 1 validate -o json -f "$f"; then
	if "$PY" - "$tmp/out" "$f" <<'EOF'; then ok "json output shape"; else fail "json output shape" "$tmp/out"; fi
import json, sys
items = json.load(open(sys.argv[1]))
assert isinstance(items, list) and items, items
first = items[0]
for key, kind in (("file", str), ("line", int), ("column", int), ("severity", str),
                  ("code", str), ("message", str)):
    assert isinstance(first[key], kind), (key, first)
assert first["file"] == sys.argv[2] and first["line"] == 7 and first["column"] == 5, first
assert first["severity"] == "error" and first["code"] == "unknown-key", first
assert first["hint"] == "did you mean [timeout]?", first
EOF
fi
if run "json output on a valid file" 0 validate -o json -f tests/fixtures/valid/minimal.yaml; then
	if [ "$(cat "$tmp/out")" = "[]" ]; then ok "json output [] when valid"; else fail "json output [] when valid" "$tmp/out"; fi
fi

# ---- several files are merged; the same resource twice names both places
cat >"$tmp/a.yaml" <<'EOF'
version: 1
clusters:
  local:
    url: https://127.0.0.1:9200
roles:
  local:
    reader:
      cluster: [monitor]
EOF
cat >"$tmp/b.yaml" <<'EOF'
version: 1
users:
  local:
    bob:
      roles: [reader]
EOF
cat >"$tmp/c.yaml" <<'EOF'
version: 1
# the same role again
roles:
  local:
    reader:
      cluster: [all]
EOF
if run "merge of two files" 0 validate -f "$tmp/a.yaml" -f "$tmp/b.yaml"; then
	expect_stderr "merge summary" "valid: 1 cluster, 0 remotes, 1 role, 1 user (2 files)"
fi
if run "a role defined in two files" 1 validate -f "$tmp/a.yaml" -f "$tmp/c.yaml"; then
	expect_stderr "a role defined in two files names both places" \
		"$tmp/c.yaml:5:5: error: role [reader] on cluster [local] is defined twice: $tmp/a.yaml:7:5 and $tmp/c.yaml:5:5"
fi
run "a file without its cluster" 1 validate -f "$tmp/b.yaml" &&
	expect_stderr "undeclared cluster" "$tmp/b.yaml:3:3: error: [users] names cluster [local], which is not declared under clusters"

# ---- directories: *.yaml and *.yml in name order, other files ignored
mkdir -p "$tmp/dir" "$tmp/empty"
cp "$tmp/b.yaml" "$tmp/dir/20-users.yml"
cp "$tmp/a.yaml" "$tmp/dir/10-base.yaml"
echo "not yaml: [" >"$tmp/dir/README.md"
echo "not: [yaml" >"$tmp/dir/.hidden.yaml"
if run "a directory" 0 validate -f "$tmp/dir"; then
	expect_stderr "directory summary" "valid: 1 cluster, 0 remotes, 1 role, 1 user (2 files)"
fi
if run "a directory and a file" 1 validate -f "$tmp/dir" -f "$tmp/c.yaml"; then
	expect_stderr "a directory and a file: duplicate across them" \
		"$tmp/c.yaml:5:5: error: role [reader] on cluster [local] is defined twice: $tmp/dir/10-base.yaml:7:5 and $tmp/c.yaml:5:5"
fi
run "an empty directory" 1 validate -f "$tmp/empty" &&
	expect_stderr "an empty directory says so" "no *.yaml or *.yml file"
run "a missing file" 1 validate -f "$tmp/no-such.yaml" &&
	expect_stderr "a missing file says so" "$tmp/no-such.yaml: error: cannot read the file: No such file or directory"

# ---- every problem at once, across files
printf 'version: 1\npolicy:\n  max_delete: 5\n' >"$tmp/bad-policy.yaml"
if run "problems in two files" 1 validate -f tests/fixtures/invalid/cluster-unknown-key.yaml \
	-f "$tmp/bad-policy.yaml"; then
	n=$(grep -c ': error: ' "$tmp/err")
	if [ "$n" = 2 ]; then ok "problems in two files are all reported"; else fail "problems in two files: $n errors" "$tmp/err"; fi
fi

# ---- files over 4 MiB
{
	echo "version: 1"
	echo "clusters:"
	i=0
	while [ $i -lt 110000 ]; do
		echo "  c$i: { url: \"https://127.0.0.1:9200\" }"
		i=$((i + 1))
	done
} >"$tmp/big.yaml"
run "a file over 4 MiB" 1 validate -f "$tmp/big.yaml" &&
	expect_stderr "a file over 4 MiB says so" "$tmp/big.yaml:1:1: error: the file is larger than 4 MiB"

# ---- usage
if run "--help" 0 validate --help; then
	if grep -q '^usage: esreconcile validate' "$tmp/out"; then ok "--help prints usage on stdout"; else fail "--help prints usage on stdout" "$tmp/out"; fi
fi
run "an unknown flag" 64 validate --bogus -f tests/fixtures/valid/minimal.yaml && ok "an unknown flag exits 64"
run "no -f" 64 validate && ok "no -f exits 64"
run "a bad -o" 64 validate -o yaml -f tests/fixtures/valid/minimal.yaml && ok "a bad -o exits 64"

# ---- the secret canary: passwords from the environment, from files and
# written literally never show, not even when a problem sits on their line.
canary_env="canary-env-$$-x7Qz"
canary_file="canary-file-$$-k2Wp"
canary_literal="canary-literal-$$-m9Rt"
canary_block="canary-block-$$-a4Hs"
printf '%s\n' "$canary_file" >"$tmp/api_key"
cat >"$tmp/canary.yaml" <<EOF
version: 1
clusters:
  local:
    url: https://127.0.0.1:9200
    auth: { username: elastic, password: "\${ESR_TEST_CANARY}", bogus: 1 }
  other:
    url: https://127.0.0.1:9201
    auth: { api_key: "\${file:api_key}", unknown: 2 }
users:
  local:
    bob: { password: $canary_literal, roles: yes }
    carol:
      password: |
        $canary_block
      password_hash: also-set
      roles: [x]
    dave: { password_hash: "$canary_literal", roles: [x], enabled: maybe }
EOF
for mode in text json; do
	if ESR_TEST_CANARY=$canary_env run "canary file ($mode)" 1 validate -o $mode -f "$tmp/canary.yaml"; then
		leaked=""
		for c in "$canary_env" "$canary_file" "$canary_literal" "$canary_block"; do
			if grep -qF "$c" "$tmp/out" "$tmp/err"; then leaked="$leaked $c"; fi
		done
		if [ -z "$leaked" ]; then
			ok "no secret in the output ($mode)"
		else
			cat "$tmp/out" "$tmp/err" >"$tmp/both"
			fail "secrets leaked ($mode):$leaked" "$tmp/both"
		fi
	fi
done
# the errors on the secrets' lines are still reported
ESR_TEST_CANARY=$canary_env run "canary errors" 1 validate -f "$tmp/canary.yaml" &&
	expect_stderr "a problem on a secret's line is reported" "$tmp/canary.yaml:5:64: error: unknown key [bogus] in [clusters.local.auth]"
grep -F "password: (sensitive)" "$tmp/err" >/dev/null && ok "the echoed line shows (sensitive)" ||
	fail "the echoed line shows (sensitive)" "$tmp/err"
# an unset variable's message names it and nothing else
run "canary unset" 1 validate --require-env -f "$tmp/canary.yaml" &&
	expect_stderr "an unset variable is named" "$tmp/canary.yaml:5:42: error: environment variable [ESR_TEST_CANARY] is not set"

# Files that are not regular files are refused at once, never waited on; a
# pipe some process holds open (-f <(...)) still reads; a byte-order mark is no content.
valid=tests/fixtures/valid/design-example.yaml
mkfifo "$tmp/fifo.yaml" "$tmp/fifodir.yaml"
mkdir "$tmp/fifodir"
mv "$tmp/fifodir.yaml" "$tmp/fifodir/a.yaml"
for target in "$tmp/fifo.yaml" "$tmp/fifodir"; do
	rc=0
	timeout 10 "$ESR_BIN" validate -f "$target" >"$tmp/out" 2>"$tmp/err" || rc=$?
	if [ "$rc" = 1 ]; then
		expect_stderr "a FIFO is refused at once ($target)" "error: cannot read the file: not a regular file"
	else
		fail "a FIFO is refused at once ($target): exit $rc, want 1 (124: it hung)" "$tmp/err"
	fi
done
rc=0
# shellcheck disable=SC2002 # the pipe is the point
cat tests/fixtures/valid/remotes-all-keys.yaml | "$ESR_BIN" validate -f /dev/stdin >"$tmp/out" 2>"$tmp/err" || rc=$?
if [ "$rc" = 0 ]; then ok "-f /dev/stdin reads a pipe"; else fail "-f /dev/stdin reads a pipe: exit $rc" "$tmp/err"; fi
printf '\357\273\277' >"$tmp/bom.yaml"
cat "$valid" >>"$tmp/bom.yaml"
mkdir -p "$tmp/certs" "$tmp/secrets"
cp -r tests/fixtures/valid/certs/. "$tmp/certs/" 2>/dev/null
cp -r tests/fixtures/valid/secrets/. "$tmp/secrets/" 2>/dev/null
run "a byte-order mark" 0 validate -f "$tmp/bom.yaml" && ok "a file starting with a byte-order mark is valid"

summary
