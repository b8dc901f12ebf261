"""Checks requests and responses against the official Mattermost OpenAPI description.

The stand-in is only trustworthy if both sides of the wire are checked: what the bot
sends (a request the real server would reject must fail the test, even where the
stand-in is lenient) and what the stand-in answers (so a test never passes against
a shape the real server does not produce).

Parsing the 1.2 MB YAML takes a while, so the prepared structure is pickled under the
temp directory, keyed by the file's sha256, and kept in memory once per process.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import pickle
import re
import subprocess
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema

try:
    import jsonschema_rs
except ImportError:  # the slower pure-Python check alone
    jsonschema_rs = None

# tests/standin/openapi.py -> parents[2] is the checkout; the file lies in shared/ beside it.
_CHECKOUT = Path(__file__).resolve().parents[2]
_SPEC_IN_SHARED = Path("shared") / "mattermost-api" / "mattermost-openapi-v4.yaml"
DEFAULT_SPEC_PATH = _CHECKOUT.parent / _SPEC_IN_SHARED
_CACHE_FORMAT = 3
_METHODS = ("get", "put", "post", "delete", "patch", "head")


# Where a checkout without shared/ gets the file: the official merged spec, as
# developers.mattermost.com serves it, at a pinned commit of mattermost-developer-documentation.
SPEC_COMMIT = "a259f36912d099868bd20ebc76d74687831c7ecc"
SPEC_URL = ("https://raw.githubusercontent.com/mattermost/mattermost-developer-documentation/"
            f"{SPEC_COMMIT}/site/static/mattermost-openapi-v4.yaml")
# The file at that commit, and the copy in shared/mattermost-api/, which differs from it only in
# one link of the introduction text (replaced by the package's name; its README says so).
SPEC_SHA256 = {
    "6d41571e9ac51dd615b262ffcb1b331c97c32515f82544e640b64422cf5c2022",
    "e3a90ead41b1c10dba3a0dac75b8abbe454edeea3a0816cb7c9148f5b105559a",
}
DOWNLOAD_TIMEOUT = 30.0
HOW_TO_ENABLE = ("to run them, put mattermost-openapi-v4.yaml into ../shared/mattermost-api/, set MATTERMOST_OPENAPI "
                 "to the file, or let the tests download it once (network access to MATTERMOST_OPENAPI_URL, "
                 f"default {SPEC_URL})")


def cached_spec_path() -> Path:
    """Where a downloaded copy is kept: outside the checkout, in the user's cache directory."""
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache / "amtsbote" / f"mattermost-openapi-v4-{SPEC_COMMIT[:12]}.yaml"


def download_spec() -> str | None:
    """Download the OpenAPI file from MATTERMOST_OPENAPI_URL (default: the pinned upstream commit)
    into the cache, if its checksum is one of SPEC_SHA256. None when done, else why not."""
    import urllib.error
    import urllib.request

    url = os.environ.get("MATTERMOST_OPENAPI_URL") or SPEC_URL
    try:
        with urllib.request.urlopen(url, timeout=DOWNLOAD_TIMEOUT) as answer:  # noqa: S310 - a configured URL
            data = answer.read()
    except (urllib.error.URLError, OSError, ValueError) as e:
        return f"download from {url} failed ({getattr(e, 'reason', None) or e})"
    sha = hashlib.sha256(data).hexdigest()
    if sha not in SPEC_SHA256:
        return f"the file from {url} has the wrong checksum (sha256 {sha[:16]}…, expected the pinned file's)"
    target = cached_spec_path()
    tmp = target.with_suffix(f".{os.getpid()}.tmp")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_bytes(data)
        os.replace(tmp, target)
    except OSError as e:
        tmp.unlink(missing_ok=True)
        return f"cannot write {target} ({e.strerror or e})"
    return None


def ensure_spec() -> str | None:
    """Make the OpenAPI file available (downloading it once if need be). None when it is, else one
    line saying that the conformance checks are skipped, why, and how to enable them."""
    if spec_path().is_file():
        return None
    problem = download_spec()
    if problem is None and spec_path().is_file():
        return None
    return (f"Mattermost OpenAPI conformance checks skipped: no file at {DEFAULT_SPEC_PATH} and "
            f"{problem or 'no copy in the cache'}; {HOW_TO_ENABLE}.")


def spec_path() -> Path:
    """`MATTERMOST_OPENAPI`, else shared/ beside the checkout, else shared/ beside the checkout
    this one was cloned from when that is a directory on this machine (a clone made elsewhere
    to try the project), else the downloaded copy in the cache (`ensure_spec`)."""
    if os.environ.get("MATTERMOST_OPENAPI"):
        return Path(os.environ["MATTERMOST_OPENAPI"])
    if DEFAULT_SPEC_PATH.is_file():
        return DEFAULT_SPEC_PATH
    cached = cached_spec_path()
    try:
        origin = subprocess.run(["git", "-C", str(_CHECKOUT), "config", "--get", "remote.origin.url"],
                                capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        origin = ""
    if origin and Path(origin).is_dir():
        beside_origin = Path(origin).resolve().parent / _SPEC_IN_SHARED
        if beside_origin.is_file():
            return beside_origin
    if cached.is_file():
        return cached
    return DEFAULT_SPEC_PATH


# Known defects of the published spec. Each entry says where the wire truth comes from.
# Keys are (METHOD, path template); values patch the request body schema's properties.
_REQUEST_BODY_FIXES: dict[tuple[str, str], dict[str, Any]] = {
    # The spec types PatchPost `props` as a string, but the server decodes the body into
    # model.PostPatch whose Props is *StringInterface (a JSON object); FACTS §4.3 lists
    # `props` among the patchable keys, and the spec's own Post.props is an object.
    # Sending a string would be rejected by the real server, so only objects are allowed.
    ("PUT", "/api/v4/posts/{post_id}/patch"): {"props": {"type": "object"}},
}


_ID_SEGMENT = re.compile(r"/[a-z0-9]{26}(?=/|$)")  # a Mattermost id as a whole path segment

@dataclass
class Operation:
    method: str
    template: str
    operation_id: str
    regex: re.Pattern[str]
    specificity: tuple[int, ...]
    query: dict[str, tuple[bool, dict[str, Any]]]
    body_required: bool
    body_content: dict[str, dict[str, Any] | None]
    responses: dict[str, dict[str, dict[str, Any] | None]]
    needs_auth: bool


@dataclass
class Spec:
    sha256: str
    operations: list[Operation]
    schemas: dict[str, Any]
    _validators: dict[int, Any] = field(default_factory=dict)
    _found: dict[tuple[str, str], tuple[Operation | None, str | None]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __getstate__(self) -> dict[str, Any]:
        return {"sha256": self.sha256, "operations": self.operations, "schemas": self.schemas}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(**state)  # type: ignore[misc]

    # -- lookup ------------------------------------------------------------------------------

    def find(self, method: str, path: str) -> tuple[Operation | None, str | None]:
        """The operation for a concrete path; literal segments beat `{params}` like a router.
        Paths that differ only in their ids share one answer (cached)."""
        key = (method.upper(), _ID_SEGMENT.sub("/{id}", path))
        found = self._found.get(key)
        if found is None:
            found = self._found[key] = self._find(method, path)
        return found

    def _find(self, method: str, path: str) -> tuple[Operation | None, str | None]:
        matches = [op for op in self.operations if op.regex.fullmatch(path)]
        if not matches:
            return None, f"no operation in the spec matches path {path}"
        with_method = [op for op in matches if op.method == method.upper()]
        if not with_method:
            allowed = sorted({op.method for op in matches})
            return None, f"method {method.upper()} is not documented for {path} (documented: {allowed})"
        return max(with_method, key=lambda op: op.specificity), None

    def validate(self, schema: dict[str, Any], instance: Any) -> list[str]:
        """Problems of `instance` against `schema`. A compiled validator answers "valid" fast
        (jsonschema-rs, where installed); the messages always come from `jsonschema`."""
        key = id(schema)
        with self._lock:
            found = self._validators.get(key)
            if found is None:
                root = {"allOf": [schema], "components": {"schemas": self.schemas}}
                fast = None
                if jsonschema_rs is not None:
                    try:
                        fast = jsonschema_rs.Draft7Validator(root, validate_formats=False)
                    except Exception:  # noqa: BLE001 - a schema it cannot compile is checked the slow way
                        fast = None
                found = self._validators[key] = (fast, jsonschema.Draft7Validator(root))
        fast, validator = found
        if fast is not None and fast.is_valid(instance):
            return []
        errors = sorted(validator.iter_errors(instance), key=lambda e: list(e.absolute_path))
        return [f"{'/'.join(str(p) for p in e.absolute_path) or '<body>'}: {e.message}" for e in errors[:5]]

    # -- checks --------------------------------------------------------------------------------

    def check_request(self, *, method: str, path: str, query: list[tuple[str, str]], content_type: str,
                      body: bytes, form: list[tuple[str, Any]] | None) -> tuple[Operation | None, list[str]]:
        op, problem = self.find(method, path)
        if op is None:
            return None, [problem or "no operation"]
        problems: list[str] = []
        present = {k for k, _ in query}
        for name, (required, _schema) in op.query.items():
            if required and name not in present:
                problems.append(f"required query parameter {name!r} is missing")
        for name, value in query:
            if name in op.query:
                problems.extend(_check_query_value(name, value, op.query[name][1]))
        media = content_type.split(";")[0].strip().lower()
        if not body:
            if op.body_required:
                problems.append("request body is required but empty")
            return op, problems
        if not op.body_content:
            return op, problems  # a body the operation does not describe is ignored by the server
        if media not in op.body_content:
            problems.append(f"content type {media or '<none>'!r} not accepted (spec: {sorted(op.body_content)})")
            return op, problems
        schema = op.body_content[media]
        if schema is None:
            return op, problems
        if media == "application/json":
            try:
                instance = json.loads(body)
            except ValueError as e:
                return op, [*problems, f"body is not valid JSON: {e}"]
            problems.extend(self.validate(schema, instance))
        elif media in ("multipart/form-data", "application/x-www-form-urlencoded") and form is not None:
            problems.extend(_check_form(schema, form))
        return op, problems

    def check_response(self, op: Operation, *, status: int, content_type: str, body: bytes) -> list[str]:
        documented = op.responses.get(str(status)) or op.responses.get("default")
        if documented is None:
            if 200 <= status < 300:
                return [f"status {status} is not documented for {op.method} {op.template} "
                        f"(documented: {sorted(op.responses)})"]
            # The real server returns many undocumented error codes (404 for a missing
            # post, 500 for a pending duplicate); only their body shape is checked.
            return _check_app_error(status, content_type, body)
        media = content_type.split(";")[0].strip().lower()
        if media != "application/json" or not body:
            return []
        if "application/json" not in documented:
            return [] if not documented else [f"JSON body but the spec documents {sorted(documented)}"]
        schema = documented["application/json"]
        if schema is None:
            return []
        try:
            instance = json.loads(body)
        except ValueError as e:
            return [f"response is not valid JSON: {e}"]
        return self.validate(schema, instance)


def _check_query_value(name: str, value: str, schema: dict[str, Any]) -> list[str]:
    kind = schema.get("type")
    if kind == "integer":
        try:
            int(value, 10)
        except ValueError:
            return [f"query parameter {name!r}={value!r} is not an integer"]
    elif kind == "boolean" and value not in ("true", "false"):
        return [f"query parameter {name!r}={value!r} is not a boolean (true/false)"]
    elif "enum" in schema and value not in [str(v) for v in schema["enum"]]:
        return [f"query parameter {name!r}={value!r} not in {schema['enum']}"]
    return []


def _check_form(schema: dict[str, Any], form: list[tuple[str, Any]]) -> list[str]:
    properties = schema.get("properties") or {}
    problems = [f"form field {name!r} is not described by the spec"
                for name in dict.fromkeys(n for n, _ in form) if properties and name not in properties]
    names = {n for n, _ in form}
    problems += [f"required form field {name!r} is missing" for name in schema.get("required") or [] if name not in names]
    return problems


def _check_app_error(status: int, content_type: str, body: bytes) -> list[str]:
    if status == 429 or not body or not content_type.startswith("application/json"):
        return []
    try:
        data = json.loads(body)
    except ValueError:
        return ["error body is not valid JSON"]
    missing = [k for k in ("id", "message", "detailed_error", "request_id", "status_code") if k not in data]
    return [f"error body lacks {missing}"] if missing else []


# -- preparation -------------------------------------------------------------------------------


def _openapi_to_jsonschema(node: Any) -> Any:
    """OpenAPI 3.0 schema objects -> JSON Schema: `nullable: true` becomes a "null" type."""
    if isinstance(node, list):
        return [_openapi_to_jsonschema(v) for v in node]
    if not isinstance(node, dict):
        return node
    out = {k: _openapi_to_jsonschema(v) for k, v in node.items() if k not in ("example", "examples", "xml")}
    if out.pop("nullable", False) is True:
        kind = out.get("type")
        if isinstance(kind, str):
            out["type"] = [kind, "null"]
        elif "enum" in out:
            out["enum"] = [*out["enum"], None]
        elif "$ref" in out or "allOf" in out or "oneOf" in out or "anyOf" in out:
            out = {"anyOf": [out, {"type": "null"}]}
    return out


def _resolve(node: Any, root: dict[str, Any]) -> Any:
    while isinstance(node, dict) and "$ref" in node and node["$ref"].startswith("#/components/responses/"):
        node = root["components"]["responses"][node["$ref"].rsplit("/", 1)[1]]
    return node


def _content(content: dict[str, Any] | None) -> dict[str, dict[str, Any] | None]:
    result: dict[str, dict[str, Any] | None] = {}
    for media, item in (content or {}).items():
        schema = (item or {}).get("schema")
        result[media.lower()] = _openapi_to_jsonschema(schema) if schema else None
    return result


def _prepare(raw: dict[str, Any], sha: str) -> Spec:
    global_auth = bool(raw.get("security"))
    operations: list[Operation] = []
    for template, item in raw["paths"].items():
        pattern = "".join("[^/]+" if part.startswith("{") else re.escape(part)
                          for part in re.split(r"(\{[^}]+\})", template) if part)
        segments = template.strip("/").split("/")
        specificity = tuple(0 if s.startswith("{") else 1 for s in segments)
        shared_params = item.get("parameters") or []
        for method, op in item.items():
            if method not in _METHODS:
                continue
            query = {}
            for p in [*shared_params, *(op.get("parameters") or [])]:
                if p.get("in") == "query":
                    query[p["name"]] = (bool(p.get("required")), p.get("schema") or {})
            body = op.get("requestBody") or {}
            body_content = _content(body.get("content"))
            fix = _REQUEST_BODY_FIXES.get((method.upper(), template))
            if fix and "application/json" in body_content:
                schema = copy.deepcopy(body_content["application/json"]) or {}
                schema.setdefault("properties", {}).update(fix)
                body_content["application/json"] = schema
            responses = {str(status): _content(_resolve(resp, raw).get("content"))
                         for status, resp in (op.get("responses") or {}).items()}
            security = op.get("security", raw.get("security"))
            operations.append(Operation(
                method=method.upper(), template=template, operation_id=op.get("operationId", ""),
                regex=re.compile(pattern), specificity=specificity, query=query,
                body_required=bool(body.get("required")), body_content=body_content, responses=responses,
                needs_auth=bool(security) if security is not None else global_auth,
            ))
    schemas = _openapi_to_jsonschema(raw.get("components", {}).get("schemas") or {})
    return Spec(sha256=sha, operations=operations, schemas=schemas)


_loaded: dict[str, Spec] = {}
_load_lock = threading.Lock()


def load_spec(path: Path | None = None) -> tuple[Spec | None, str | None]:
    """(spec, None), or (None, reason) when the file is absent or unreadable."""
    path = Path(path) if path is not None else spec_path()
    try:
        data = path.read_bytes()
    except OSError as e:
        return None, f"OpenAPI file not available at {path}: {e.strerror or e}"
    sha = hashlib.sha256(data).hexdigest()
    with _load_lock:
        if sha in _loaded:
            return _loaded[sha], None
        cache = Path(tempfile.gettempdir()) / f"mattermost-standin-openapi-{sha[:20]}-v{_CACHE_FORMAT}.pickle"
        spec: Spec | None = None
        try:
            with cache.open("rb") as fh:
                spec = pickle.load(fh)
            if spec is None or spec.sha256 != sha:
                spec = None
        except (OSError, pickle.PickleError, EOFError, AttributeError, TypeError):
            spec = None
        if spec is None:
            import yaml

            loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
            try:
                raw = yaml.load(data, Loader=loader)  # noqa: S506 - a safe loader
            except yaml.YAMLError as e:
                return None, f"OpenAPI file {path} does not parse: {e}"
            spec = _prepare(raw, sha)
            tmp = cache.with_suffix(f".{os.getpid()}.tmp")
            try:
                with tmp.open("wb") as fh:
                    pickle.dump(spec, fh, protocol=pickle.HIGHEST_PROTOCOL)
                os.replace(tmp, cache)
            except OSError:
                tmp.unlink(missing_ok=True)
        _loaded[sha] = spec
        return spec, None
