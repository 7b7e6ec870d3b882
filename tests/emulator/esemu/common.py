"""Shared pieces: the emulated versions, Elasticsearch-shaped errors, and the
parsing of request bodies and query-string booleans."""

import json


# ---------------------------------------------------------------------------
# Versions
# ---------------------------------------------------------------------------

LUCENE = {"8.15": "9.11.1", "8.14": "9.10.0", "8.13": "9.10.0", "8.16": "9.12.0",
          "8.17": "9.12.0", "8.18": "9.12.1", "8.19": "9.12.1", "9.0": "10.1.0", "9.1": "10.2.1"}
BUILD_HASH = "1a77947f34deddb41af25e6f0ddb8e830159c179"


def vtuple(v):
    out = []
    for p in v.split("-")[0].split("."):
        try:
            out.append(int(p))
        except ValueError:
            out.append(0)
    while len(out) < 3:
        out.append(0)
    return tuple(out[:3])


# ---------------------------------------------------------------------------
# Errors
# ---------------------------------------------------------------------------

class ESError(Exception):
    """An Elasticsearch-shaped error:
    {"error":{"root_cause":[{type,reason}],"type","reason",...},"status":N}"""

    def __init__(self, status, etype, reason, caused_by=None, extra=None, headers=None):
        Exception.__init__(self, reason)
        self.status = status
        self.etype = etype
        self.reason = reason
        self.caused_by = caused_by  # dict {"type","reason"} or None
        self.extra = extra or {}
        self.headers = headers or []

    def body(self):
        rc = {"type": self.etype, "reason": self.reason}
        rc.update(self.extra)
        err = dict(rc)
        if self.caused_by:
            err["caused_by"] = self.caused_by
        return {"error": {"root_cause": [rc], **err}, "status": self.status}


class RawResponse(Exception):
    """A response with a non-standard body (405, 404 {}), raised from handlers."""

    def __init__(self, status, body, headers=None):
        Exception.__init__(self, "raw")
        self.status = status
        self.rbody = body
        self.headers = headers or []


def bad_request(reason, etype="illegal_argument_exception", caused_by=None):
    return ESError(400, etype, reason, caused_by)


def validation_error(*msgs):
    text = "Validation Failed: " + "".join("%d: %s;" % (i + 1, m) for i, m in enumerate(msgs))
    return ESError(400, "action_request_validation_exception", text)


def plain_validation_error(*msgs):
    """org.elasticsearch.common.ValidationException (not an ActionRequestValidationException):
    type validation_exception, the same "Validation Failed: 1: ..;" text."""
    e = validation_error(*msgs)
    e.etype = "validation_exception"
    return e


def parse_bool_param(value):
    # docs/elasticsearch.md: present-and-empty means true; otherwise only true/false.
    if value == "" or value == "true":
        return True
    if value == "false":
        return False
    raise bad_request("Failed to parse value [%s] as only [true] or [false] are allowed." % value)


class NumText(float):
    """A JSON float that remembers its source text (settings store number text)."""

    def __new__(cls, text):
        f = float.__new__(cls, text)
        f.text = text
        return f


def json_error_position(body_text, pos):
    line = body_text.count("\n", 0, pos) + 1
    col = pos - (body_text.rfind("\n", 0, pos) + 1) + 1
    return line, col


def parse_json_body(raw, keep_number_text=False):
    """Parse a request body; malformed JSON -> 400 x_content_parse_exception (the
    Jackson message is approximated by Python's json error text)."""
    if raw is None or len(raw) == 0 or raw.strip() == b"":
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise ESError(400, "x_content_parse_exception", "[1:1] Invalid UTF-8 start byte",
                      caused_by={"type": "json_parse_exception", "reason": "Invalid UTF-8 start byte 0x%02x" % raw[e.start]})
    try:
        if keep_number_text:
            return json.loads(text, parse_float=NumText)
        return json.loads(text)
    except json.JSONDecodeError as e:
        line, col = e.lineno, e.colno
        msg = "[%d:%d] %s" % (line, col, e.msg)
        raise ESError(400, "x_content_parse_exception", msg,
                      caused_by={"type": "json_parse_exception", "reason": e.msg + " at line: %d, column: %d" % (line, col)})
    except (ValueError, RecursionError) as e:
        raise ESError(400, "x_content_parse_exception", "[1:1] " + str(e),
                      caused_by={"type": "json_parse_exception", "reason": str(e)})


def require_body(raw, keep_number_text=False):
    body = parse_json_body(raw, keep_number_text)
    if body is None:
        raise ESError(400, "parse_exception", "request body is required")
    return body


def object_expected(body, parser_name):
    if not isinstance(body, dict):
        tok = "START_ARRAY" if isinstance(body, list) else "VALUE_STRING" if isinstance(body, str) else \
            "VALUE_BOOLEAN" if isinstance(body, bool) else "VALUE_NULL" if body is None else "VALUE_NUMBER"
        raise ESError(400, "x_content_parse_exception",
                      "[1:1] [%s] Expected START_OBJECT but was: %s" % (parser_name, tok))


def token_name(v):
    if isinstance(v, dict):
        return "START_OBJECT"
    if isinstance(v, list):
        return "START_ARRAY"
    if isinstance(v, bool):
        return "VALUE_BOOLEAN"
    if isinstance(v, str):
        return "VALUE_STRING"
    if v is None:
        return "VALUE_NULL"
    return "VALUE_NUMBER"


class Handled(Exception):
    pass


def ok(body, status=200, headers=None):
    return status, headers or [], body
