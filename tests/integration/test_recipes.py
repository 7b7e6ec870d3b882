#!/usr/bin/env python3
"""The deployment recipes (examples/systemd, examples/k8s, examples/ci) and the
shell snippets of the READMEs: their files parse, every esreconcile command and
option they use exists (as `esreconcile CMD --help` lists it), the pieces fit
(ports, mounts, names), and the Kubernetes desired state validates when laid
out the way a ConfigMap volume is.

Needs python3-yaml. Env: ESR_BIN (default ./esreconcile). Last line:
"N passed, M failed"; exit status 1 on any failure.
"""

import configparser
import glob
import os
import re
import shlex
import subprocess
import sys
import tempfile

import yaml

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from esrtest import ESR, ROOT, Suite  # noqa: E402

suite = Suite()
check = suite.check
EXAMPLES = os.path.join(ROOT, "examples")
COMMANDS = ("validate", "plan", "apply", "watch", "export", "trust", "render")
HELP = {}


def help_text(command, sub=None):
    key = (command, sub)
    if key not in HELP:
        args = [ESR, command] + ([sub] if sub else []) + ["--help"]
        p = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True)
        check(p.returncode == 0, "%s --help: %s" % (" ".join(args[1:]), p.stdout))
        HELP[key] = p.stdout
    return HELP[key]


def check_invocation(words, where):
    """words: an esreconcile command line split into words, starting at `esreconcile`."""
    check(len(words) > 1 and words[1] in COMMANDS, "%s: unknown command in %s" % (where, words))
    sub = words[2] if words[1] == "trust" and len(words) > 2 else None
    text = help_text(words[1], sub)
    for w in words[2:]:
        if not w.startswith("-") or w == "-":
            continue
        option = w.split("=", 1)[0]
        check(re.search(r"(^|[\s,\[])%s([\s,=\]]|$)" % re.escape(option), text, re.M),
              "%s: esreconcile %s has no option %s" % (where, words[1], option))


def invocations_in_script(script, where):
    """Every `esreconcile ...` in shell text, cut at ;, |, && and the like."""
    count = 0
    for line in script.replace("\\\n", " ").splitlines():
        line = line.split(" #", 1)[0]
        for part in re.split(r"[;|&]+|\$\(|\)", line):
            try:
                words = shlex.split(part)
            except ValueError:
                continue
            # the command itself, after env assignments, sudo or exec (not a namespace)
            while words and (words[0] in ("sudo", "exec", "env", "time") or re.match(r"^\w+=", words[0])):
                words = words[1:]
            if words and (words[0] == "esreconcile" or words[0].endswith("/esreconcile")):
                words = ["esreconcile"] + [w for w in words[1:] if not re.match(r"^[<>]|^\d?>", w)]
                if len(words) > 1 and not words[1].startswith("-"):
                    check_invocation(words, where)
                    count += 1
    return count


def load_all(path):
    with open(path) as f:
        return [d for d in yaml.safe_load_all(f) if d is not None]


def manifests():
    docs = []
    for path in sorted(glob.glob(os.path.join(EXAMPLES, "k8s", "*.yaml"))):
        docs += load_all(path)
    return docs


def find(docs, kind, name=None):
    found = [d for d in docs if d.get("kind") == kind and (name is None or d["metadata"]["name"] == name)]
    check(found, "a %s %s" % (kind, name or ""))
    return found[0]


@suite.test
def every_recipe_file_parses():
    count = 0
    for path in sorted(glob.glob(os.path.join(EXAMPLES, "k8s", "*.yaml")) +
                       glob.glob(os.path.join(EXAMPLES, "ci", "*.yml"))):
        check(load_all(path), path + " holds YAML documents")
        count += 1
    for path in sorted(glob.glob(os.path.join(EXAMPLES, "systemd", "*.service")) +
                       glob.glob(os.path.join(EXAMPLES, "systemd", "*.timer"))):
        unit = configparser.ConfigParser(strict=False, interpolation=None)
        unit.optionxform = str
        unit.read(path)
        check("Unit" in unit, path + " has [Unit]")
        check(("Service" in unit) != ("Timer" in unit), path + " is a service or a timer")
        count += 1
    check(count >= 7, "%d recipe files" % count)


def unit(name):
    u = configparser.ConfigParser(strict=False, interpolation=None)
    u.optionxform = str
    u.read(os.path.join(EXAMPLES, "systemd", name))
    return u


@suite.test
def systemd_units_use_existing_commands_and_fit_together():
    for name in ("esreconcile-apply.service", "esreconcile-watch.service"):
        u = unit(name)
        start = u["Service"]["ExecStart"].replace("%%", "%")  # % is a specifier in units
        words = shlex.split(start)
        check(words[0] == "/usr/bin/esreconcile", "%s: the installed binary" % name)
        check_invocation(["esreconcile"] + words[1:], name)
    check(unit("esreconcile-apply.service")["Service"]["Type"] == "oneshot", "apply is one-shot")
    timer = unit("esreconcile-apply.timer")
    check(os.path.exists(os.path.join(EXAMPLES, "systemd", timer["Timer"]["Unit"])), "the timer's unit exists")
    watch = unit("esreconcile-watch.service")["Service"]
    check("watch" in watch["ExecStart"] and "-HUP" in watch["ExecReload"], "reload sends SIGHUP")
    check(watch["KillSignal"] == "SIGTERM", "stop sends SIGTERM")
    check(re.search(r"--jitter \d+%% ", watch["ExecStart"]), "the jitter's % is escaped for systemd")


@suite.test
def kubernetes_manifests_use_existing_commands_and_fit_together():
    docs = manifests()
    config = find(docs, "ConfigMap")
    secret_names = {d["metadata"]["name"] for d in docs if d.get("kind") == "Secret"}
    cron = find(docs, "CronJob")
    deploy = find(docs, "Deployment")
    service = find(docs, "Service")
    for what, pod in (("cronjob", cron["spec"]["jobTemplate"]["spec"]["template"]["spec"]),
                      ("watch", deploy["spec"]["template"]["spec"])):
        c = pod["containers"][0]
        if c.get("command", [""])[0] == "/bin/sh":
            check(invocations_in_script("\n".join(c["args"]), what) >= 2, "%s: plan and apply" % what)
            words = shlex.split(c["args"][0].splitlines()[-1])
        else:
            words = ["esreconcile"] + c["args"]  # the image's entrypoint
            check_invocation(words, what)
        path = words[words.index("-f") + 1]
        volumes = {v["name"]: v for v in pod["volumes"]}
        mounts = {m["mountPath"]: m["name"] for m in c["volumeMounts"]}
        check(path in mounts and volumes[mounts[path]]["configMap"]["name"] == config["metadata"]["name"],
              "%s: -f is where the ConfigMap is mounted" % what)
        for ref in c["envFrom"]:
            check(ref["secretRef"]["name"] in secret_names, "%s: the Secret exists" % what)
        for v in volumes.values():
            check("secret" not in v or v["secret"]["secretName"] in secret_names, "%s: mounted Secret" % what)
    args = deploy["spec"]["template"]["spec"]["containers"][0]["args"]
    port = int(args[args.index("--metrics-listen") + 1].rsplit(":", 1)[1])
    ports = deploy["spec"]["template"]["spec"]["containers"][0]["ports"]
    check([p["containerPort"] for p in ports if p["name"] == "metrics"] == [port], "the metrics port is exposed")
    check(service["spec"]["ports"][0]["targetPort"] == "metrics", "the Service targets it")
    check(deploy["spec"]["replicas"] == 1, "one watcher")


@suite.test
def kubernetes_desired_state_validates_as_mounted():
    docs = manifests()
    config = find(docs, "ConfigMap")
    secrets = find(docs, "Secret", "esreconcile-secrets")["stringData"]
    certs = find(docs, "Secret", "esreconcile-certs")["stringData"]
    with tempfile.TemporaryDirectory(prefix="esr-k8s-") as tmp:
        # a ConfigMap volume: the files live in a timestamped directory that
        # ..data points to, and each key is a symbolic link through ..data
        mount = os.path.join(tmp, "desired")
        data = os.path.join(mount, "..2024_01_01_00_00_00.000000000")
        os.makedirs(data)
        os.symlink(os.path.basename(data), os.path.join(mount, "..data"))
        cert_dir = os.path.join(tmp, "certs")
        os.makedirs(cert_dir)
        with open(os.path.join(ROOT, "tests", "fixtures", "valid", "certs", "ca.pem")) as f:
            pem = f.read()
        for name in certs:
            with open(os.path.join(cert_dir, name), "w") as f:
                f.write(pem)
        for name, text in config["data"].items():
            with open(os.path.join(data, name), "w") as f:
                f.write(text.replace("/etc/esreconcile/certs/", cert_dir + "/"))
            os.symlink(os.path.join("..data", name), os.path.join(mount, name))
        env = dict(os.environ)
        env.update(secrets)
        p = subprocess.run([ESR, "validate", "-f", mount], env=env, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, universal_newlines=True)
        check(p.returncode == 0 and "(%d files)" % len(config["data"]) in p.stderr, repr(p))


@suite.test
def the_ci_pipeline_uses_existing_commands_and_exit_codes():
    path = os.path.join(EXAMPLES, "ci", "github-actions.yml")
    wf = load_all(path)[0]
    jobs = wf["jobs"]
    runs = {j: "\n".join(s.get("run", "") for s in job["steps"]) for j, job in jobs.items()}
    check(invocations_in_script(runs["plan"], "ci plan") >= 2, "validate and plan")
    check(invocations_in_script(runs["apply"], "ci apply") >= 1, "apply")
    check(re.search(r"plan .*--out plan\.json", runs["plan"]) and "plan.json" in runs["apply"].split()[-1],
          "apply takes the plan saved by the plan job")
    check(re.search(r"2\) .*changes=true", runs["plan"]), "exit 2 means changes pending, not failure")
    check("gh pr comment" in runs["plan"], "the plan is posted")
    check(jobs["apply"]["needs"] == "plan" and "environment" in jobs["apply"], "apply after review")


def shell_blocks(markdown):
    """The fenced blocks marked sh, bash or console (or nothing)."""
    blocks, lang, lines = [], None, []
    for line in markdown.splitlines():
        if line.startswith("```"):
            if lang is None:
                lang, lines = line[3:].strip(), []
            else:
                if lang in ("", "sh", "bash", "console"):
                    blocks.append("\n".join(lines))
                lang = None
        elif lang is not None:
            lines.append(line)
    return blocks


@suite.test
def readme_snippets_use_existing_commands():
    count = 0
    for path in [os.path.join(ROOT, "README.md")] + sorted(glob.glob(os.path.join(EXAMPLES, "*", "README.md"))) \
            + [os.path.join(EXAMPLES, "README.md")]:
        with open(path) as f:
            text = f.read()
        for block in shell_blocks(text):
            count += invocations_in_script(block, os.path.relpath(path, ROOT))
    check(count >= 10, "%d esreconcile commands in the READMEs" % count)


suite.finish()
