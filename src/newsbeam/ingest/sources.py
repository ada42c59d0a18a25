"""Which inputs a run reads: files, folders, globs, manifests and remote URIs, turned into sorted ``InputRef``s.

Listing never reads an input's content; it only stats local files and asks remote stores for size and ETag, so a
run can decide from the listing alone which inputs earlier runs already processed (``InputRef.key``).

Problems with the run's *arguments* (a path that does not exist, a glob or S3 prefix that matches nothing, a scheme
we cannot read) are usage errors. Problems with an input's *content or access* (unreadable file, dangling symlink,
symlink loop, unreachable URL) are not: the input is listed anyway and reading it produces a reject, so nothing the
user asked for disappears silently.

Credentials never leave this module in a printable form: ``uri`` has user:password and signing parameters removed,
while ``open_uri`` (kept out of ``repr``) is what is actually opened. S3 and GCS credentials come only from the
standard places (environment, config files, instance roles), never from the URI.
"""

from __future__ import annotations

import fnmatch
import glob
import os
import re
import threading
import urllib.parse
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from newsbeam.errors import UsageError


@dataclass(frozen=True)
class InputRef:
    uri: str
    open_uri: str = field(repr=False)
    size: int | None
    mtime: float | None
    etag: str | None
    key: str


_HEAD_TIMEOUT = 10.0
_HEAD_THREADS = 16
# Query parameters that carry secrets or signatures (AWS SigV2/V4, GCS, Azure SAS, CloudFront, generic tokens).
_SECRET_PARAM = re.compile(
    r"^(x-amz-.*|x-goog-.*|awsaccesskeyid|googleaccessid|signature|sig|token|.*[_-]token|access[_-]?key.*|"
    r"api[_-]?key|apikey|key|key-pair-id|policy|password|passwd|pwd|.*secret.*|auth|authorization|credentials?)$",
    re.IGNORECASE,
)
_GLOB_CHARS = re.compile(r"[*?\[]")


def strip_credentials(uri: str) -> str:
    """The URI without user:password and without secret or signing query parameters."""
    try:
        parts = urllib.parse.urlsplit(uri)
    except ValueError:
        return uri
    if not parts.scheme or not parts.netloc:
        return uri
    netloc = parts.netloc.rpartition("@")[2]
    query = parts.query
    if query:
        pairs = urllib.parse.parse_qsl(query, keep_blank_values=True)
        kept = [(k, v) for k, v in pairs if not _SECRET_PARAM.match(k)]
        if len(kept) != len(pairs):
            query = urllib.parse.urlencode(kept)
    return urllib.parse.urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


_URL_IN_TEXT = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^\s'\"<>]+")
_PARAM_IN_TEXT = re.compile(r"([?&;])([A-Za-z0-9_.-]+)=([^&\s'\"<>)]*)")


def scrub_text(text: str) -> str:
    """Free text (error messages) with URLs credential-stripped and secret parameters of bare paths redacted."""
    text = _URL_IN_TEXT.sub(lambda m: strip_credentials(m.group(0)), text)
    return _PARAM_IN_TEXT.sub(
        lambda m: f"{m.group(1)}{m.group(2)}=[redacted]" if _SECRET_PARAM.match(m.group(2)) else m.group(0), text
    )


def scheme_of(spec: str) -> str:
    m = re.match(r"^([A-Za-z][A-Za-z0-9+.-]*)://", spec)
    return m.group(1).lower() if m else ""


def list_inputs(specs: list[str], manifests: Iterable[str] = ()) -> list[InputRef]:
    """Expand specs and manifest entries into InputRefs, sorted by uri and deduplicated."""
    entries: list[tuple[str, str | None]] = [(str(s), None) for s in specs]
    for m in manifests:
        entries += [(line, str(Path(m).parent)) for line in _manifest_lines(m)]
    refs: dict[str, InputRef] = {}
    http_specs: list[str] = []
    for spec, base in entries:
        scheme = scheme_of(spec)
        if scheme in ("http", "https"):
            http_specs.append(spec)
        elif scheme == "s3":
            for ref in _list_s3(spec):
                refs.setdefault(ref.uri, ref)
        elif scheme == "gs":
            for ref in _list_gs(spec):
                refs.setdefault(ref.uri, ref)
        elif scheme in ("", "file"):
            for ref in _list_local(spec, base):
                refs.setdefault(ref.uri, ref)
        else:
            raise UsageError(f"unsupported input scheme {scheme}:// in {strip_credentials(spec)}")
    if http_specs:
        with ThreadPoolExecutor(min(_HEAD_THREADS, len(http_specs))) as pool:
            for ref in pool.map(_http_ref, http_specs):
                refs.setdefault(ref.uri, ref)
    return [refs[u] for u in sorted(refs)]


def _manifest_lines(path: str) -> list[str]:
    try:
        with open(path, encoding="utf-8-sig") as f:
            lines = [ln.strip() for ln in f]
    except (OSError, UnicodeDecodeError) as e:
        raise UsageError(f"cannot read manifest {path}: {e.__class__.__name__}") from e
    return [ln for ln in lines if ln and not ln.startswith("#")]


# --- local -------------------------------------------------------------------------------------------------------


def _list_local(spec: str, base: str | None) -> list[InputRef]:
    """A manifest's relative paths are relative to the manifest's folder, so a manifest travels with its data."""
    path = urllib.parse.unquote(spec[len("file://") :]) if spec.lower().startswith("file://") else spec
    path = os.path.expanduser(path)
    if base is not None and not os.path.isabs(path):
        path = os.path.join(base, path)
    if os.path.lexists(path):
        matches = [path]
    elif glob.has_magic(path):
        matches = sorted(glob.glob(path, recursive=True))
        if not matches:
            raise UsageError(f"input not found: {spec}")
    else:
        raise UsageError(f"input not found: {spec}")
    out: list[InputRef] = []
    seen_dirs: set[tuple[int, int]] = set()
    for p in matches:
        if os.path.isdir(p):
            _walk(p, out, seen_dirs)
        else:
            out.append(local_ref(p))
    return out


def _walk(directory: str, out: list[InputRef], seen: set[tuple[int, int]]) -> None:
    """Recursive, sorted, hidden entries skipped; symlinked folders followed once (loops end at a seen folder)."""
    try:
        st = os.stat(directory)
        ident = (st.st_dev, st.st_ino)
        if ident in seen:
            return
        seen.add(ident)
        with os.scandir(directory) as it:
            entries = sorted(it, key=lambda e: e.name)
    except OSError:
        # An unreadable folder is listed as an input of its own; reading it yields an "unreadable" reject.
        out.append(local_ref(directory))
        return
    for e in entries:
        if e.name.startswith("."):
            continue
        try:
            is_dir = e.is_dir()
        except OSError:
            is_dir = False
        if is_dir:
            _walk(e.path, out, seen)
        else:
            out.append(local_ref(e.path))


def local_ref(path: str) -> InputRef:
    """Dangling symlinks and symlink loops are listed with size None, so reading them becomes a reject."""
    abspath = os.path.abspath(path)
    uri = Path(abspath).as_uri()
    size = mtime = mtime_ns = None
    try:
        st = os.stat(abspath)
        size, mtime, mtime_ns = st.st_size, st.st_mtime, st.st_mtime_ns
    except OSError:
        pass
    return InputRef(uri=uri, open_uri=abspath, size=size, mtime=mtime, etag=None, key=f"{uri}|{size}|{mtime_ns}")


# --- http(s) -----------------------------------------------------------------------------------------------------


def _http_ref(spec: str) -> InputRef:
    """HEAD for size and ETag; a failed HEAD still lists the URL (reading it decides: article or reject)."""
    import requests

    size = etag = None
    try:
        r = requests.head(spec, timeout=_HEAD_TIMEOUT, allow_redirects=True, headers={"Accept-Encoding": "identity"})
        if r.ok:
            cl = r.headers.get("Content-Length", "")
            size = int(cl) if cl.isdecimal() else None
            etag = r.headers.get("ETag") or (
                f"last-modified:{r.headers['Last-Modified']}" if r.headers.get("Last-Modified") else None
            )
        r.close()
    except requests.RequestException:
        pass
    return remote_ref(spec, size, etag)


def remote_ref(spec: str, size: int | None, etag: str | None) -> InputRef:
    uri = strip_credentials(spec)
    return InputRef(uri=uri, open_uri=spec, size=size, mtime=None, etag=etag, key=f"{uri}|{size}|{etag}")


# --- s3 ----------------------------------------------------------------------------------------------------------

_clients: dict[tuple, object] = {}
_clients_lock = threading.Lock()


def s3_client(timeout: float = 30.0, attempts: int = 3, endpoint_url: str | None = None):
    """One boto3 client per process and setting (clients are thread-safe, sessions are not).

    boto3 reads credentials and ``AWS_ENDPOINT_URL`` / ``AWS_ENDPOINT_URL_S3`` from the environment itself;
    ``endpoint_url`` overrides them.
    """
    env = tuple(os.environ.get(k) for k in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3", "AWS_PROFILE",
                                            "AWS_DEFAULT_REGION", "AWS_REGION"))
    cache_key = (timeout, attempts, endpoint_url, env)
    with _clients_lock:
        client = _clients.get(cache_key)
        if client is None:
            import boto3
            from botocore.config import Config

            cfg = Config(connect_timeout=timeout, read_timeout=timeout,
                         retries={"total_max_attempts": max(1, attempts), "mode": "standard"})
            kwargs = {"endpoint_url": endpoint_url} if endpoint_url else {}
            client = boto3.session.Session().client("s3", config=cfg, **kwargs)
            _clients[cache_key] = client
    return client


def split_bucket(spec: str) -> tuple[str, str]:
    """s3://bucket/key -> (bucket, key); a user:password@ in front of the bucket is ignored."""
    rest = spec.split("://", 1)[1]
    bucket, _, key = rest.partition("/")
    return bucket.rpartition("@")[2], key


def _glob_regex(pattern: str) -> re.Pattern:
    """Glob over object keys: ``**`` crosses '/', ``*`` and ``?`` do not."""
    out, i = [], 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        elif pattern[i] == "[":
            j = pattern.find("]", i + 1)
            if j < 0:
                out.append(re.escape("["))
                i += 1
            else:
                out.append(fnmatch.translate(pattern[i : j + 1])[4:-3])
                i = j + 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return re.compile("".join(out) + r"\Z")


def _hidden_key(key: str, prefix: str) -> bool:
    return key.endswith("/") or any(part.startswith(".") for part in key[len(prefix) :].split("/"))


def _list_s3(spec: str) -> list[InputRef]:
    from botocore.exceptions import BotoCoreError, ClientError

    shown = strip_credentials(spec)
    bucket, key = split_bucket(spec)
    if not bucket:
        raise UsageError(f"no bucket in {shown}")
    client = s3_client()
    try:
        if key and not key.endswith("/") and not _GLOB_CHARS.search(key):
            try:
                head = client.head_object(Bucket=bucket, Key=key)
            except ClientError as e:
                if e.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                    raise UsageError(f"input not found: {shown}") from e
                head = {}  # denied or failing now: listed anyway, reading it decides (article or reject)
            except BotoCoreError:
                head = {}
            return [remote_ref(f"s3://{bucket}/{key}", head.get("ContentLength"), _etag(head.get("ETag")))]
        m = _GLOB_CHARS.search(key)
        prefix = key[: m.start()] if m else key
        rx = _glob_regex(key) if m else None
        refs = []
        for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
            for obj in page.get("Contents", []):
                k = obj["Key"]
                if _hidden_key(k, prefix) or (rx is not None and not rx.match(k)):
                    continue
                refs.append(remote_ref(f"s3://{bucket}/{k}", obj.get("Size"), _etag(obj.get("ETag"))))
    except (BotoCoreError, ClientError) as e:
        raise UsageError(f"cannot list {shown}: {e.__class__.__name__}: {_one_line(e)}") from e
    if not refs:
        raise UsageError(f"input not found: {shown}")
    return refs


def _etag(value: str | None) -> str | None:
    return value.strip('"') if value else None


def _one_line(e: BaseException) -> str:
    return str(e).splitlines()[0] if str(e) else ""


# --- gs ----------------------------------------------------------------------------------------------------------


def _list_gs(spec: str) -> list[InputRef]:
    shown = strip_credentials(spec)
    try:
        from google.cloud import storage
    except ImportError as e:
        raise UsageError(f"gs:// inputs need google-cloud-storage (pip install 'newsbeam[gcs]'): {shown}") from e
    bucket, key = split_bucket(spec)
    try:
        client = storage.Client()
        m = _GLOB_CHARS.search(key)
        if key and not key.endswith("/") and not m:
            blob = client.bucket(bucket).get_blob(key)
            if blob is None:
                raise UsageError(f"input not found: {shown}")
            return [remote_ref(f"gs://{bucket}/{key}", blob.size, blob.etag)]
        prefix = key[: m.start()] if m else key
        rx = _glob_regex(key) if m else None
        refs = [
            remote_ref(f"gs://{bucket}/{b.name}", b.size, b.etag)
            for b in client.list_blobs(bucket, prefix=prefix)
            if not _hidden_key(b.name, prefix) and (rx is None or rx.match(b.name))
        ]
    except UsageError:
        raise
    except Exception as e:  # the GCS client raises many unrelated types; all mean "cannot list"
        raise UsageError(f"cannot list {shown}: {e.__class__.__name__}: {_one_line(e)}") from e
    if not refs:
        raise UsageError(f"input not found: {shown}")
    return sorted(refs, key=lambda r: r.uri)
