"""The HTTP/1.1 server: one thread per TLS connection, a hand-written request
parser (keep-alive, chunked bodies, Expect: 100-continue), and the response
writer. Requests go to Emulator.dispatch, or to the control API. Also the
one-line JSON servers of the transport and remote cluster server listeners."""

import json
import socket
import socketserver
import ssl
import struct
import time

from .common import Handled
from .control import serve_fault, stall_connection


class Request:
    __slots__ = ("method", "target", "path", "raw_path", "query", "params", "headers", "raw_headers", "body",
                 "version")


METHOD_ORDER = ["GET", "POST", "PUT", "DELETE", "OPTIONS", "HEAD", "PATCH", "TRACE", "CONNECT"]
REASONS = {200: "OK", 201: "Created", 301: "Moved Permanently", 302: "Found", 303: "See Other",
           307: "Temporary Redirect", 308: "Permanent Redirect", 400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
           405: "Method Not Allowed", 406: "Not Acceptable", 408: "Request Timeout", 413: "Payload Too Large",
           429: "Too Many Requests", 500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable",
           504: "Gateway Timeout"}
COMMON_PARAMS = {"pretty", "human", "error_trace", "filter_path", "format"}


def unquote(s):
    if "%" not in s and "+" not in s:
        return s
    from urllib.parse import unquote_plus
    return unquote_plus(s)


class ConnectionHandler(socketserver.BaseRequestHandler):
    def handle(self):
        srv = self.server
        sock = self.request
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            sock.settimeout(600)
            emu, cluster = srv.emu, srv.cluster
            stall = emu.match_connection_fault(cluster) if emu.control and cluster.faults else None
            if stall is not None:
                stall_connection(sock, cluster, stall)
                return
            ssock = srv.ssl_ctx.wrap_socket(sock, server_side=True)
        except (OSError, ssl.SSLError, ValueError):
            try:
                sock.close()
            except OSError:
                pass
            return
        self.ssock = ssock
        rfile = ssock.makefile("rb", buffering=65536)
        try:
            while True:
                keep = self.one_request(rfile, ssock, srv)
                if not keep:
                    break
        except (OSError, ssl.SSLError, ValueError, Handled):
            pass
        finally:
            try:
                rfile.close()
            except Exception:
                pass
            try:
                ssock.close()
            except Exception:
                pass

    def send_simple_error(self, ssock, status, body):
        data = json.dumps(body).encode()
        head = ("HTTP/1.1 %d %s\r\nX-elastic-product: Elasticsearch\r\ncontent-type: application/json\r\n"
                "content-length: %d\r\nconnection: close\r\n\r\n" % (status, REASONS.get(status, "Error"), len(data)))
        ssock.sendall(head.encode() + data)

    def one_request(self, rfile, ssock, srv):
        line = rfile.readline(65537)
        while line in (b"\r\n", b"\n"):
            line = rfile.readline(65537)
        if not line:
            return False
        if len(line) > 65536:
            self.send_simple_error(ssock, 400, {"error": "request line too long", "status": 400})
            return False
        parts = line.decode("latin-1").strip().split()
        if len(parts) != 3 or not parts[2].startswith("HTTP/"):
            self.send_simple_error(ssock, 400, {"error": "malformed request line", "status": 400})
            return False
        req = Request()
        req.method, req.target, req.version = parts[0].upper(), parts[1], parts[2]
        headers = {}
        raw_headers = []
        total = 0
        while True:
            h = rfile.readline(65537)
            total += len(h)
            if not h:
                return False
            if h in (b"\r\n", b"\n"):
                break
            if total > 262144:
                self.send_simple_error(ssock, 400, {"error": "headers too large", "status": 400})
                return False
            k, sep, v = h.decode("latin-1").partition(":")
            if not sep:
                continue
            k = k.strip()
            v = v.strip()
            raw_headers.append((k, v))
            lk = k.lower()
            if lk in headers:
                headers[lk] = headers[lk] + "," + v
            else:
                headers[lk] = v
        req.headers = headers
        req.raw_headers = raw_headers
        if headers.get("expect", "").lower() == "100-continue" and req.version == "HTTP/1.1":
            # libcurl waits (1 s) for this before sending a large body
            ssock.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")
        te = headers.get("transfer-encoding", "").lower()
        body = b""
        if "chunked" in te:
            chunks = []
            while True:
                size_line = rfile.readline(1024)
                if not size_line:
                    return False
                size = int(size_line.split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while True:
                        t = rfile.readline(65537)
                        if t in (b"\r\n", b"\n", b""):
                            break
                    break
                chunks.append(rfile.read(size))
                rfile.readline(1024)
            body = b"".join(chunks)
        else:
            cl = headers.get("content-length")
            if cl:
                try:
                    n = int(cl)
                    if n < 0:
                        raise ValueError
                except ValueError:
                    self.send_simple_error(ssock, 400, {"error": "bad content-length", "status": 400})
                    return False
                if n > srv.emu.max_body:
                    self.send_simple_error(ssock, 413, {"error": {"root_cause": [{"type": "content_too_long_exception",
                                            "reason": "request body too large"}], "type": "content_too_long_exception",
                                            "reason": "request body too large"}, "status": 413})
                    return False
                body = rfile.read(n)
                if len(body) < n:
                    return False
        req.body = body
        path, _, query = req.target.partition("?")
        req.raw_path = path  # routing splits this into segments before decoding them (emulator.py)
        if "%" in path:
            from urllib.parse import unquote as unquote_path  # no '+' -> ' ' in paths
            path = unquote_path(path)
        req.path = path
        req.query = query
        params = {}
        if query:
            for kv in query.split("&"):
                if not kv:
                    continue
                k, _, v = kv.partition("=")
                params[unquote(k)] = unquote(v)
        req.params = params
        conn_hdr = headers.get("connection", "").lower()
        keep = (req.version == "HTTP/1.1" and "close" not in conn_hdr) or \
               (req.version == "HTTP/1.0" and "keep-alive" in conn_hdr)
        cluster = srv.cluster
        emu = srv.emu
        if emu.control and req.path.startswith("/_emulator/"):
            status, hdrs, data = emu.control_api(cluster, req)
            self.send(ssock, req, status, hdrs, data, keep)
            return keep
        if emu.control:
            cluster.requests.append(req)
        if emu.trace_path:
            emu.trace(cluster, req)
        fault = emu.match_fault(cluster, req) if cluster.faults else None
        if fault is not None:
            answered = serve_fault(self, ssock, req, cluster, fault, keep)
            if answered is not None:
                return answered
        status, hdrs, data = emu.dispatch(cluster, req)
        if emu.latency:
            time.sleep(emu.latency)
        if fault is not None and fault.get("action") == "reset_after":
            self.send_partial(ssock, status, hdrs, data)
            raise Handled()
        self.send(ssock, req, status, hdrs, data, keep)
        return keep

    def reset(self, ssock):
        try:
            ssock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass
        try:
            ssock.close()
        except OSError:
            pass

    def head(self, status, hdrs, length, keep=True, content_type="application/json", product=True):
        h = ["HTTP/1.1 %d %s\r\n%scontent-type: %s\r\ncontent-length: %d\r\n"
             % (status, REASONS.get(status, "Unknown"), "X-elastic-product: Elasticsearch\r\n" if product else "",
                content_type, length)]
        for k, v in hdrs:
            h.append("%s: %s\r\n" % (k, v))
        if not keep:
            h.append("connection: close\r\n")
        h.append("\r\n")
        return "".join(h).encode("latin-1", "replace")

    def send(self, ssock, req, status, hdrs, data, keep, content_type="application/json", product=True):
        head = self.head(status, hdrs, len(data), keep, content_type, product)
        ssock.sendall(head if req.method == "HEAD" else head + data)

    def send_partial(self, ssock, status, hdrs, data):
        if len(data) < 2:
            data = data + b" " * 64
        ssock.sendall(self.head(status, hdrs, len(data)) + data[:len(data) // 2])
        self.reset(ssock)

    def send_oversized(self, ssock, size):
        prefix = b'{"emulator_oversized":"'
        suffix = b'"}'
        n = max(size - len(prefix) - len(suffix), 0)
        ssock.sendall(self.head(200, [], len(prefix) + n + len(suffix)) + prefix)
        chunk = b"x" * 65536
        while n > 0:
            k = min(n, len(chunk))
            ssock.sendall(chunk[:k])
            n -= k
        ssock.sendall(suffix)


class TLSServer(socketserver.ThreadingMixIn, socketserver.TCPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256
    block_on_close = False

    def __init__(self, addr, handler, ssl_ctx, cluster, emu):
        self.ssl_ctx = ssl_ctx
        self.cluster = cluster
        self.emu = emu
        socketserver.TCPServer.__init__(self, addr, handler)

    def handle_error(self, request, client_address):
        pass


class LineHandler(socketserver.BaseRequestHandler):
    """A TLS listener that greets once the handshake succeeded (so the client learns that its own
    certificate, if asked for, was accepted, even with TLS 1.3), then answers at most one JSON
    request line with one JSON line: `answer(cluster, request)`. A client that only checks the
    connection closes after the greeting."""
    greeting = b""

    def answer(self, cluster, msg):
        raise NotImplementedError

    def handle(self):
        sock = self.request
        try:
            sock.settimeout(5)
            ss = self.server.ssl_ctx.wrap_socket(sock, server_side=True)
            ss.sendall(self.greeting)
            try:
                line = ss.makefile("rb").readline(1 << 20)
            except (OSError, ssl.SSLError, ValueError):
                line = b""
            if line.strip():
                try:
                    reply = self.answer(self.server.cluster, json.loads(line.decode("utf-8")))
                except Exception as e:  # noqa: BLE001 (the caller sees a transport error)
                    reply = {"exception": {"type": "exception", "reason": "%s: %s" % (type(e).__name__, e)}}
                ss.sendall(json.dumps(reply).encode() + b"\n")
            try:
                ss.unwrap()
            except (OSError, ssl.SSLError, ValueError):
                pass
            ss.close()
        except (OSError, ssl.SSLError, ValueError):
            try:
                sock.close()
            except OSError:
                pass
