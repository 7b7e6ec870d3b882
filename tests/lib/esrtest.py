"""The test helper that the emulator tests and the integration tests share.

Standard library only. tests/emulator/test_*.py and tests/integration/test_*.py
put this directory on sys.path and import what they use:

    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
    from esrtest import Emu, Emulator, Suite, ROOT, EXAMPLES

Emu(clusters, args, control, python) starts tests/emulator/esemu.py in a temp
dir, reads clusters.json, and speaks HTTPS to it: emu.req(method, path, body,
cluster=, auth=, headers=, raw=) -> (status, headers, body), emu.ok(...) for a 200.

An integration test module does:

    suite = Suite()

    @suite.test
    def plan_01_against_empty_cluster():
        with Emulator(["local"]) as emu:                 # args=["--version", "8.14.3"], ...
            r = emu.run("plan", "-f", emu.example("01-add-remotes.yaml"), "-o", "json")
            suite.check(r.rc == 2, "exit 2: %s" % r.stderr)
            body = r.json["clusters"]["local"]["requests"][0]["body"]
            emu.requests("local")                         # the emulator's request log
            emu.es("PUT", "/_cluster/settings", {...})    # a direct request as elastic

    suite.finish()          # prints "N passed, M failed" and exits 0 or 1

Emulator(clusters, args) starts esemu.py with --control (through Emu) and reads
clusters.json. emu.env() is os.environ plus, for each cluster id X (upper-cased,
'-' as '_'): ES_X_URL, ES_X_CA (HTTP CA), ES_X_PASSWORD (elastic) and
ES_X_TRANSPORT_CA; and CCU_PASSWORD, CSU_PASSWORD, KIBANA_CCU_PASSWORD (unless
already set), the variables the examples use. emu.run(*args, env=None,
stdin=None) runs $ESR_BIN (default ./esreconcile) with that environment and
returns a Result (rc, stdout, stderr, and json when stdout parses).
Suite.test sets ESEMU_TRACE_TAG to "<script>:<test>" for each test, so that
ESEMU_REQUEST_TRACE=FILE records which test sent each request.

A real cluster: when ES_URL, ES_USERNAME, ES_PASSWORD and ES_CA are all set,
Emulator(["local"]) starts no emulator and stands for that cluster as `local`
(emu.env() sets ES_LOCAL_URL, ES_LOCAL_USERNAME, ... from them), after
emptying it of what the tests write: every native role and user but the
account's own, every cluster.remote.* setting and esreconcile's ledger. So
point it at a throwaway cluster only. A test that needs what only the emulator
gives (more than one cluster, emulator options such as --version, or the
control API: request log, faults, seeding) raises Skip, which Suite counts and
prints as skipped, not failed; Suite.require_emulator(reason) skips a whole
script. The last line then reads "N passed, M failed, K skipped".
"""

import base64
import http.client
import json
import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import urllib.parse

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EXAMPLES = os.path.join(ROOT, "examples")
ESR = os.environ.get("ESR_BIN", os.path.join(ROOT, "esreconcile"))

# A request of the log that changes a cluster: a POST that only asks (the
# privilege preflight) is not one.
READ_ONLY_POSTS = ("/_security/user/_has_privileges",)


def is_write(entry):
    """Whether a request-log entry changes the cluster."""
    return entry["method"] in ("PUT", "POST", "DELETE") and entry["path"] not in READ_ONLY_POSTS

ESEMU = os.path.join(ROOT, "tests", "emulator", "esemu.py")


class Skip(Exception):
    """Raised by a test that cannot run where the suite points (a real cluster)."""


def real_cluster():
    """{"url","username","password","http_ca_file"} from ES_URL, ES_USERNAME,
    ES_PASSWORD and ES_CA, or None when ES_URL is not set."""
    if not os.environ.get("ES_URL"):
        return None
    names = ("ES_URL", "ES_USERNAME", "ES_PASSWORD", "ES_CA")
    missing = [n for n in names if not os.environ.get(n)]
    if missing:
        raise SystemExit("ES_URL is set: set %s too (see README.md, \"Testing\")" % ", ".join(missing))
    return {"url": os.environ["ES_URL"].rstrip("/"), "username": os.environ["ES_USERNAME"],
            "password": os.environ["ES_PASSWORD"], "http_ca_file": os.environ["ES_CA"]}


REAL = real_cluster()


class Emu:
    """esemu.py as a subprocess in a temporary directory, and HTTPS requests to it."""

    def __init__(self, clusters=("local",), args=(), control=True, python=None, state_dir=None):
        """state_dir: a directory prepared for the emulator (an earlier run's pki/ with
        --keep-pki); removed by stop() as the temporary one is."""
        self.dir = state_dir or tempfile.mkdtemp(prefix="esemu-test-")
        cmd = [python or sys.executable, ESEMU, "--state-dir", self.dir, "--clusters", ",".join(clusters)]
        if control:
            cmd.append("--control")
        cmd += list(args)
        self.log = open(os.path.join(self.dir, "stderr.log"), "w+")
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=self.log)
        cj = os.path.join(self.dir, "clusters.json")
        t0 = time.time()
        while not os.path.exists(cj):
            if self.proc.poll() is not None or time.time() - t0 > 30:
                self.log.seek(0)
                raise RuntimeError("emulator failed to start: " + self.log.read())
            time.sleep(0.02)
        with open(cj) as f:
            self.info = json.load(f)
        self.conns = {}

    def stop(self):
        for c in self.conns.values():
            c.close()
        if self.proc is None:
            shutil.rmtree(self.dir, ignore_errors=True)
            return
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.rc = self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.rc = self.proc.wait()
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    def ctx(self, cluster="local"):
        return ssl.create_default_context(cafile=self.info[cluster]["http_ca_file"])

    def conn(self, cluster="local", fresh=False):
        if fresh or cluster not in self.conns:
            hp = self.info[cluster]["url"].split("://")[1]
            host, port = hp.rsplit(":", 1)
            c = http.client.HTTPSConnection(host, int(port), context=self.ctx(cluster), timeout=30)
            if fresh:
                return c
            self.conns[cluster] = c
        return self.conns[cluster]

    @classmethod
    def external(cls, info):
        """An Emu that speaks to clusters already running ({id: info}): no process."""
        self = cls.__new__(cls)
        self.dir = tempfile.mkdtemp(prefix="esr-real-")
        self.proc = None
        self.log = None
        self.info = info
        self.conns = {}
        return self

    def basic(self, user, password):
        return "Basic " + base64.b64encode(("%s:%s" % (user, password)).encode()).decode()

    def req(self, method, path, body=None, cluster="local", auth=None, headers=None, raw=None):
        """Returns (status, headers-dict (lower-case), parsed body or raw text)."""
        h = {}
        if auth is None:
            auth = self.basic(self.info[cluster].get("username", "elastic"), self.info[cluster]["password"])
        if auth is not False:
            h["Authorization"] = auth
        data = None
        if raw is not None:
            data = raw if isinstance(raw, bytes) else raw.encode()
            h["Content-Type"] = "application/json"
        elif body is not None:
            data = json.dumps(body).encode()
            h["Content-Type"] = "application/json"
        if headers:
            h.update(headers)
        for attempt in range(2):
            c = self.conn(cluster)
            try:
                c.request(method, path, body=data, headers=h)
                r = c.getresponse()
                payload = r.read()
                break
            except (http.client.HTTPException, ConnectionError, ssl.SSLError):
                c.close()
                self.conns.pop(cluster, None)
                if attempt:
                    raise
        hd = {}
        for k, v in r.getheaders():
            k = k.lower()
            hd[k] = hd[k] + "\n" + v if k in hd else v
        try:
            parsed = json.loads(payload) if payload else None
        except ValueError:
            parsed = payload.decode("utf-8", "replace")
        return r.status, hd, parsed

    def ok(self, method, path, body=None, **kw):
        st, _, b = self.req(method, path, body, **kw)
        if st != 200:
            raise AssertionError("%s %s -> %s %s" % (method, path, st, b))
        return b


EXAMPLE_SECRETS = {
    "CCU_PASSWORD": "ccu-password-1",
    "CSU_PASSWORD": "csu-password-1",
    "KIBANA_CCU_PASSWORD": "kibana-password-1",
}


def env_key(cluster_id):
    return cluster_id.upper().replace("-", "_")


class Result:
    def __init__(self, rc, stdout, stderr):
        self.rc = rc
        self.stdout = stdout
        self.stderr = stderr
        try:
            self.json = json.loads(stdout)
        except ValueError:
            self.json = None

    def __repr__(self):
        return "rc=%d\nstdout:\n%s\nstderr:\n%s" % (self.rc, self.stdout, self.stderr)


class Emulator:
    """Emulated clusters for one test; use as a context manager."""

    def __init__(self, clusters=("local",), args=(), python=None):
        if REAL:
            if tuple(clusters) != ("local",) or args:
                raise Skip("needs the emulator (%s%s); ES_URL gives one cluster, local"
                           % (", ".join(clusters), " ".join([""] + list(args))))
            self.emu = Emu.external({"local": dict(REAL)})
            self.empty_real_cluster()
        else:
            self.emu = Emu(clusters=tuple(clusters), args=tuple(args), control=True, python=python)
        self.info = self.emu.info
        self.dir = tempfile.mkdtemp(prefix="esr-it-", dir=self.emu.dir)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()

    def stop(self):
        self.emu.stop()

    def env(self, extra=None):
        env = dict(os.environ)
        for cid, info in self.info.items():
            key = env_key(cid)
            env["ES_%s_URL" % key] = info["url"]
            env["ES_%s_CA" % key] = info["http_ca_file"]
            env["ES_%s_USERNAME" % key] = info.get("username", "elastic")
            env["ES_%s_PASSWORD" % key] = info["password"]
            if "transport_ca_file" in info:  # a real cluster's is not known
                env["ES_%s_TRANSPORT_CA" % key] = info["transport_ca_file"]
        for name, value in EXAMPLE_SECRETS.items():
            env.setdefault(name, value)
        env.pop("NO_COLOR", None)
        if extra:
            env.update(extra)
        return env

    def run(self, *args, env=None, stdin=None, timeout=300):
        p = subprocess.run([ESR] + list(args), env=self.env(env), input=stdin,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout,
                           universal_newlines=True)
        return Result(p.returncode, p.stdout, p.stderr)

    def example(self, name):
        return os.path.join(EXAMPLES, name)

    def write(self, name, text):
        """Writes a desired-state file (or any file) into the test's temp dir."""
        path = os.path.join(self.dir, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    def es(self, method, path, body=None, cluster="local", auth=None):
        """One request as elastic (or auth=(user, password)); returns (status, body)."""
        if isinstance(auth, tuple):
            auth = self.emu.basic(*auth)
        status, _headers, data = self.emu.req(method, path, body, cluster=cluster, auth=auth)
        return status, data

    def control(self, method, path, body=None, cluster="local"):
        if REAL:
            raise Skip("needs the emulator's control API (%s %s)" % (method, path))
        status, data = self.es(method, path, body, cluster=cluster, auth=False)
        if status >= 300:
            raise AssertionError("%s %s on %s: %s %s" % (method, path, cluster, status, data))
        return data

    def requests(self, cluster="local"):
        """The emulator's request log of one cluster: [{"method","path","query","body",..}]."""
        return self.control("GET", "/_emulator/requests", cluster=cluster)

    def clear_requests(self, cluster=None):
        for cid in ([cluster] if cluster else self.info):
            self.control("DELETE", "/_emulator/requests", cluster=cid)

    def reset(self):
        """Every cluster as the emulator starts: no faults, no state, an empty
        request log; a real cluster is emptied as at the start."""
        if REAL:
            self.empty_real_cluster()
            return
        for cid in self.info:
            self.control("DELETE", "/_emulator/faults", cluster=cid)
            self.control("DELETE", "/_emulator/state", cluster=cid)
        self.clear_requests()

    def empty_real_cluster(self):
        """Deletes from the real cluster what the tests write: native roles and
        users (not reserved ones, nor the account's own user and roles), the
        cluster.remote.* settings and the ledger."""
        me = self.emu.info["local"]["username"]
        _, _, whoami = self.emu.req("GET", "/_security/_authenticate")
        keep_roles = set(whoami.get("roles", [])) if isinstance(whoami, dict) else set()
        for kind, keep in (("user", {me}), ("role", keep_roles)):
            _, _, objects = self.emu.req("GET", "/_security/" + kind)
            for name, obj in sorted((objects or {}).items()):
                if name in keep or (obj.get("metadata") or {}).get("_reserved"):
                    continue
                # dots too, so that "." and ".." stay names, not path segments
                path = "/_security/%s/%s" % (kind, urllib.parse.quote(name, safe="").replace(".", "%2E"))
                status, _, data = self.emu.req("DELETE", path)
                if status not in (200, 404):
                    raise RuntimeError("emptying %s: DELETE %s -> %s %s" % (REAL["url"], path, status, data))
        _, _, settings = self.emu.req("GET", "/_cluster/settings?flat_settings=true")
        body = {}
        for scope in ("persistent", "transient"):
            for key in (settings or {}).get(scope, {}):
                if key.startswith("cluster.remote."):
                    body.setdefault(scope, {})["cluster.remote.%s.*" % key.split(".")[2]] = None
                elif key.startswith("cluster.metadata.esreconcile."):
                    body.setdefault(scope, {})[key] = None
        if body:
            status, _, data = self.emu.req("PUT", "/_cluster/settings", body)
            if status != 200:
                raise RuntimeError("emptying %s: PUT /_cluster/settings -> %s %s" % (REAL["url"], status, data))

    def seed(self, cluster="local", **counts):
        """POST /_emulator/seed, e.g. seed("local", roles=1000, users=10, remotes=3)."""
        return self.control("POST", "/_emulator/seed", counts, cluster=cluster)


def expect(result, rc, what=""):
    """result (what Emulator.run() returns) when it exited rc, else an AssertionError showing it."""
    if result.rc != rc:
        raise AssertionError("expected exit %d%s, got:\n%r" % (rc, " (" + what + ")" if what else "", result))
    return result


def connection_block(cluster_ids):
    """The `clusters:` section for these ids, reading the variables emu.env() sets.
    The user is the emulator's superuser, written `username: elastic` (tests put
    another account in its place), or ES_USERNAME's on a real cluster."""
    lines = ["clusters:"]
    for cid in cluster_ids:
        key = env_key(cid)
        user = "\"${ES_%s_USERNAME}\"" % key if REAL else "elastic"
        lines += ["  %s:" % cid,
                  "    url: ${ES_%s_URL}" % key,
                  "    auth: { username: %s, password: \"${ES_%s_PASSWORD}\" }" % (user, key),
                  "    tls: { ca_file: \"${ES_%s_CA}\" }" % key]
    return "\n".join(lines) + "\n"


class Suite:
    """Runs test functions, counts results, ends with the runner's summary line."""

    def __init__(self):
        self.passed = 0
        self.failed = 0
        self.skipped = 0
        self.only = set(sys.argv[1:])

    def check(self, cond, what):
        if not cond:
            raise AssertionError(what)

    def test(self, fn):
        if self.only and fn.__name__ not in self.only:
            return fn
        os.environ["ESEMU_TRACE_TAG"] = "%s:%s" % (os.path.basename(sys.argv[0]), fn.__name__)
        try:
            fn()
            self.passed += 1
            print("ok   %s" % fn.__name__, flush=True)
        except Skip as why:
            self.skipped += 1
            print("skip %s: %s" % (fn.__name__, why), flush=True)
        except Exception:  # noqa: BLE001 (every failure is reported, not raised)
            self.failed += 1
            print("FAIL %s" % fn.__name__, flush=True)
            traceback.print_exc(file=sys.stdout)
        return fn

    def require_emulator(self, reason):
        """Against a real cluster, skips the whole script (counted as one) and exits."""
        if REAL:
            self.skipped += 1
            print("skip %s: %s" % (os.path.basename(sys.argv[0]), reason), flush=True)
            self.finish()

    def finish(self):
        print("%d passed, %d failed%s" % (self.passed, self.failed,
                                          ", %d skipped" % self.skipped if self.skipped else ""))
        sys.exit(1 if self.failed else 0)


# ---- network stand-ins for the far side of a remote ----

def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Silent:
    """A TCP listener that accepts and never answers: an address that does not answer."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.conns = []
        self.stop = False
        self.t = threading.Thread(target=self.run, daemon=True)
        self.t.start()

    def run(self):
        self.sock.settimeout(0.2)
        while not self.stop:
            try:
                c, _ = self.sock.accept()
                self.conns.append(c)
            except OSError:
                pass

    def close(self):
        self.stop = True
        self.t.join(2)
        for c in self.conns:
            c.close()
        self.sock.close()


class Forwarder:
    """A plain TCP forwarder from a port to another: an address that comes up later."""

    def __init__(self, port, target):
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", port))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.target = target
        self.stop = False
        self.t = threading.Thread(target=self.run, daemon=True)
        self.t.start()

    def pipe(self, a, b):
        try:
            while True:
                d = a.recv(65536)
                if not d:
                    break
                b.sendall(d)
        except OSError:
            pass
        for s in (a, b):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def run(self):
        while not self.stop:
            try:
                c, _ = self.sock.accept()
            except OSError:
                continue
            u = socket.create_connection(("127.0.0.1", self.target))
            threading.Thread(target=self.pipe, args=(c, u), daemon=True).start()
            threading.Thread(target=self.pipe, args=(u, c), daemon=True).start()

    def close(self):
        self.stop = True
        self.t.join(2)
        self.sock.close()
