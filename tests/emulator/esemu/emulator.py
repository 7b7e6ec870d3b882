"""The Emulator: routing a request to its handler, the request trace
(ESEMU_REQUEST_TRACE), with the control API and the remote handshakes mixed in."""

import concurrent.futures
import json
import os
import threading
import traceback
from urllib.parse import unquote as unquote_path

from .common import ESError, RawResponse, bad_request
from .control import ControlMixin, log_entry
from .remote_cluster_server import RemoteClusterServerMixin
from .routes import ROUTES
from .server import METHOD_ORDER
from .transport import TransportMixin


SEP = "\x00"  # an encoded '/' inside a path segment, while the routes are matched


class Emulator(ControlMixin, TransportMixin, RemoteClusterServerMixin):
    """Every emulated cluster of the process, and the dispatch of a request to its
    handler (routes.py), its faults (control.py) and handshakes (transport.py,
    remote_cluster_server.py)."""

    def __init__(self, args):
        self.args = args
        self.control = args.control
        self.latency = args.latency_ms / 1000.0 if args.latency_ms else 0
        self.version = args.version
        self.log_limit = args.request_log_limit
        self.max_body = 100 * 1024 * 1024
        self.clusters = {}
        self.handshake_cache = {}
        self.pool = concurrent.futures.ThreadPoolExecutor(max_workers=16)
        self.emulated_addresses = set()
        # ESEMU_REQUEST_TRACE=FILE appends every non-control request as a JSON
        # line, tagged with ESEMU_TRACE_TAG, so that two builds' requests can be compared.
        self.trace_path = os.environ.get("ESEMU_REQUEST_TRACE")
        self.trace_tag = os.environ.get("ESEMU_TRACE_TAG", "")
        self.trace_lock = threading.Lock()

    def trace(self, cluster, req):
        entry = log_entry(req)
        line = json.dumps({"tag": self.trace_tag, "cluster": cluster.name, "method": entry["method"],
                           "path": entry["path"], "query": entry["query"], "body": entry["body"]},
                          sort_keys=True)
        with self.trace_lock:
            with open(self.trace_path, "a") as f:
                f.write(line + "\n")

    # ---------------- dispatch ----------------
    def dispatch(self, cluster, req):
        try:
            status, hdrs, body = self._dispatch(cluster, req)
        except ESError as e:
            status, hdrs, body = e.status, list(e.headers), e.body()
        except RawResponse as r:
            status, hdrs, body = r.status, list(r.headers), r.rbody
        except Exception as e:  # never a traceback on the wire
            if self.args.debug:
                traceback.print_exc()
            err = ESError(500, "exception", "emulator internal error: %s: %s" % (type(e).__name__, e))
            status, hdrs, body = 500, [], err.body()
        if isinstance(body, (bytes, bytearray)):
            return status, hdrs, body
        if "pretty" in req.params:
            data = json.dumps(body, indent=2).encode()
        else:
            data = json.dumps(body, separators=(",", ":")).encode()
        return status, hdrs, data

    def _dispatch(self, cluster, req):
        path = req.path
        if len(path) > 1 and path.endswith("/"):
            path = path.rstrip("/") or "/"
        # RestController / PathTrie: the raw path is split on '/' and each segment decoded after, so an
        # encoded slash (%2F) stays inside its segment (SEP stands for it while the routes match).
        raw = req.raw_path if getattr(req, "raw_path", None) is not None else req.path
        if len(raw) > 1 and raw.endswith("/"):
            raw = raw.rstrip("/") or "/"
        match_path = "/".join(unquote_path(seg).replace("/", SEP) for seg in raw.split("/"))
        for rx, methods, params in ROUTES:
            m = rx.match(match_path)
            if not m:
                continue
            method = req.method
            if method == "HEAD" and "GET" in methods and "HEAD" not in methods:
                method = "GET"
            allowed = [x for x in METHOD_ORDER if x in methods]
            if method == "OPTIONS":
                return 200, [("Allow", ",".join(allowed))], b""
            if method not in methods:
                raise RawResponse(405, {"error": "Incorrect HTTP method for uri [%s] and method [%s], allowed: [%s]"
                                        % (req.target, req.method, ", ".join(allowed)), "status": 405},
                                  [("Allow", ",".join(allowed))])
            # RestController.dispatchRequest: content type checked before the security filter
            ct = req.headers.get("content-type")
            if req.body and ct is None:
                raise RawResponse(406, {"error": "Content-Type header is missing", "status": 406})
            if req.body and ct is not None:
                base = ct.split(";")[0].strip().lower()
                if base not in ("application/json", "application/vnd.elasticsearch+json", "application/x-ndjson",
                                "application/vnd.elasticsearch+x-ndjson", "application/smile", "application/yaml",
                                "application/cbor"):
                    raise RawResponse(406, {"error": "Content-Type header [%s] is not supported" % ct, "status": 406})
            principal = cluster.authenticate(req)  # the security filter runs before the handler
            for k in req.params:
                if k not in params:
                    raise bad_request("request [%s] contains unrecognized parameter: [%s]" % (path, k))
            groups = [g.replace(SEP, "/") if g is not None else None for g in m.groups()]
            return methods[method](self, cluster, req, principal, *groups)
        raise RawResponse(400, {"error": "no handler found for uri [%s] and method [%s]" % (req.target, req.method),
                                "status": 400})
