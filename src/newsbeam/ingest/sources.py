"""Which inputs a run reads: files, folders, globs, manifests and remote URIs, turned into sorted ``InputRef``s.

Listing never reads an input's content; it only stats local files and asks remote stores for size and ETag, so a
run can decide from the listing alone which inputs earlier runs already processed (``InputRef.key``).

Problems with the run's *arguments* (a command-line path that does not exist or lies outside ``--root``, a glob or
S3 prefix that matches nothing, a scheme we cannot read, a manifest that cannot be read) are usage errors. Problems
with an input's *content or access* (unreadable file, dangling symlink, symlink loop, unreachable URL) and with a
manifest's *entries* (not found, outside the root) are not: the input is listed anyway and reading it produces a
reject, so nothing the user asked for disappears silently and one bad line does not stop a nightly run.

Credentials never leave this module in a printable form: ``uri`` has user:password, every query parameter not on the
allow-list and the fragment removed (``identity_uri``), while ``open_uri`` (kept out of ``repr``) is what is
actually opened. S3 and GCS credentials come only from the standard places (environment, config files, instance
roles), never from the URI.
"""

from __future__ import annotations

import fnmatch
import glob
import hashlib
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
    """One input of a run. ``uri`` is what is stored and shown (no secrets), ``open_uri`` what is opened.

    ``problem`` is a (reason, detail) found while listing (a manifest entry outside the root or not found): such a
    ref is never opened (``open_uri`` is empty) and reading it is exactly one reject with that reason.
    """

    uri: str
    open_uri: str = field(repr=False)
    size: int | None
    mtime: float | None
    etag: str | None
    key: str
    problem: tuple[str, str] | None = None


_HEAD_TIMEOUT = 10.0
_HEAD_THREADS = 16
_GLOB_CHARS = re.compile(r"[*?\[]")

# --- credentials ---------------------------------------------------------------------------------------------------
#
# Default-deny: a query parameter is kept in a stored URI or URL only when its name is on this allow-list (glob
# patterns, case-insensitive; ``[ingest] allowed_url_params`` replaces it). Everything else — AWS/GCS/Azure
# signatures, ``token``, ``__token__``, ``hdnts``, ``jwt``, ``session``, and every parameter nobody thought of —
# is removed, with user:password, ``;jsessionid=``-style path parameters and the ``#fragment`` (OAuth puts
# ``access_token`` there). A name list of secrets can never be complete; a list of harmless names can.
DEFAULT_ALLOWED_URL_PARAMS: tuple[str, ...] = (
    "page", "p", "id", "q", "query", "lang", "hl", "locale", "v", "format", "year", "month", "day", "date",
    "section", "category", "tag", "article", "article_id", "story", "story_id", "utm_*",
)
# A JSON Web Token is a credential whatever the parameter is called (``?id=eyJhbGciOi...``).
_JWT = re.compile(r"^eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*$")
# Session ids some servers put into the path (``/story.html;jsessionid=1A2B``).
_PATH_SESSION = re.compile(r";(?:[a-z]*sess[a-z]*id|sid)=[^/;?#]*", re.IGNORECASE)
_FINGERPRINT_PERSON = b"newsbeam-uri-v1"


def _allowed(name: str, value: str, allowed: Iterable[str]) -> bool:
    low = name.lower()
    return any(fnmatch.fnmatchcase(low, pat.lower()) for pat in allowed) and not _JWT.match(value)


def _split_secrets(uri: str, allowed: Iterable[str]) -> tuple[str, str]:
    """(the URI without secrets, a canonical text of the removed parts that tell resources apart, "" if none).

    The fragment is removed but is not part of the second value: it is never sent to the server, so two URLs that
    differ only there fetch the same thing.
    """
    try:
        parts = urllib.parse.urlsplit(uri)
    except ValueError:
        return uri, ""
    if not (parts.query or parts.fragment or "@" in parts.netloc or ";" in parts.path):
        return uri, ""
    userinfo, _, netloc = parts.netloc.rpartition("@")
    path = _PATH_SESSION.sub("", parts.path)
    removed = [("@", userinfo)] if userinfo else []
    removed += [(";", m.group(0)) for m in _PATH_SESSION.finditer(parts.path)]
    query = parts.query
    if query:
        pairs = urllib.parse.parse_qsl(query, keep_blank_values=True)
        kept = [(k, v) for k, v in pairs if _allowed(k, v, allowed)]
        removed += sorted(p for p in pairs if p not in kept)
        if len(kept) != len(pairs):
            query = urllib.parse.urlencode(kept)
    clean = urllib.parse.urlunsplit((parts.scheme, netloc, path, query, ""))
    return clean, urllib.parse.urlencode(removed) if removed else ""


def strip_credentials(uri: str, allowed: Iterable[str] = DEFAULT_ALLOWED_URL_PARAMS) -> str:
    """The URI without user:password, without every query parameter not on ``allowed``, without its #fragment."""
    return _split_secrets(uri, allowed)[0]


def identity_uri(uri: str, allowed: Iterable[str] = DEFAULT_ALLOWED_URL_PARAMS) -> str:
    """``strip_credentials(uri)``, plus ``#stripped-<12 hex>`` when secrets that select the resource were removed.

    Two signed URLs that strip to the same text are two inputs (other signatures, other users, other objects):
    without the mark they would share an ``input_key``, an ``article_id`` and the superseding of each other's
    articles. The mark is an unkeyed BLAKE2b of the removed parts, 48 bits: stable across runs (a rerun of
    the same URL stays incremental), never the secret itself, and unguessable for signatures and tokens (a short
    password alone could be confirmed by trying candidates — do not put those in URLs; see the README).
    """
    clean, secret = _split_secrets(uri, allowed)
    if not secret:
        return clean
    mark = hashlib.blake2b(secret.encode(), digest_size=6, person=_FINGERPRINT_PERSON).hexdigest()
    return f"{clean}#stripped-{mark}"


_URL_IN_TEXT = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^\s'\"<>]+")
_PARAM_IN_TEXT = re.compile(r"([?&;#])([A-Za-z0-9_.-]+)=([^&#\s'\"<>)]*)")


def scrub_text(text: str, allowed: Iterable[str] = DEFAULT_ALLOWED_URL_PARAMS) -> str:
    """Free text (error messages) with URLs credential-stripped and other parameters of bare paths redacted."""
    text = _URL_IN_TEXT.sub(lambda m: strip_credentials(m.group(0), allowed), text)
    return _PARAM_IN_TEXT.sub(
        lambda m: m.group(0) if _allowed(m.group(2), m.group(3), allowed) else f"{m.group(1)}{m.group(2)}=[redacted]",
        text,
    )


def scheme_of(spec: str) -> str:
    m = re.match(r"^([A-Za-z][A-Za-z0-9+.-]*)://", spec)
    return m.group(1).lower() if m else ""


def list_inputs(
    specs: list[str],
    manifests: Iterable[str] = (),
    *,
    root: str | None = None,
    allowed_params: Iterable[str] = DEFAULT_ALLOWED_URL_PARAMS,
) -> list[InputRef]:
    """Expand specs and manifest entries into InputRefs, sorted by uri and deduplicated.

    ``root`` confines local inputs: a command-line input outside it is a usage error, a manifest entry (or a
    symlink met while walking a folder) outside it is listed as an ``outside_root`` reject and never opened. Without
    a root, command-line inputs are the operator's own choice and are not confined, but a manifest's entries are
    confined to the manifest's own folder: a manifest is data, often written by another program, and must not be
    able to make a run read ``/etc/shadow``. A manifest entry that does not exist is an ``unreadable`` reject.
    """
    allowed = tuple(allowed_params)
    root_real = _root_dir(root)
    entries: list[tuple[str, _Local]] = [(str(s), _Local(None, root_real, False)) for s in specs]
    for m in manifests:
        folder = os.path.dirname(os.path.abspath(m))
        confine = root_real or os.path.realpath(folder)
        entries += [(line, _Local(folder, confine, True)) for line in _manifest_lines(m)]
    refs: dict[str, InputRef] = {}
    http_specs: list[str] = []
    for spec, where in entries:
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
            for ref in _list_local(spec, where):
                refs.setdefault(ref.uri, ref)
        else:
            raise UsageError(f"unsupported input scheme {scheme}:// in {strip_credentials(spec, allowed)}")
    if http_specs:
        with ThreadPoolExecutor(min(_HEAD_THREADS, len(http_specs))) as pool:
            for ref in pool.map(lambda s: _http_ref(s, allowed), http_specs):
                refs.setdefault(ref.uri, ref)
    return [refs[u] for u in sorted(refs)]


def _manifest_lines(path: str) -> list[str]:
    try:
        with open(path, encoding="utf-8-sig") as f:
            lines = [ln.strip() for ln in f]
    except (OSError, UnicodeDecodeError) as e:
        raise UsageError(f"cannot read manifest {path}: {e.__class__.__name__}") from e
    return [ln for ln in lines if ln and not ln.startswith("#")]


def _root_dir(root: str | None) -> str | None:
    """The root's real path (symlinks resolved, so a link cannot widen it); not a folder is a usage error."""
    if root is None:
        return None
    if not isinstance(root, str) or not root.strip():
        raise UsageError(f"root: not a folder: {root!r}")
    path = os.path.expanduser(root)
    if not os.path.isdir(path):
        raise UsageError(f"root: not a folder: {root}")
    return os.path.realpath(path)


# --- local -------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Local:
    """Where a local spec came from: the folder relative paths start from, the folder it must stay inside (real
    path, or None), and whether it is a manifest entry (problems become rejects) or a command-line input (usage
    errors)."""

    base: str | None
    confine: str | None
    from_manifest: bool


def _inside(path: str, confine: str | None) -> bool:
    """Whether ``path``, symlinks resolved, is ``confine`` or below it."""
    if confine is None:
        return True
    real = os.path.realpath(path)
    return real == confine or real.startswith(confine.rstrip(os.sep) + os.sep)


def _local_path(spec: str) -> str | None:
    """The path of a local spec or ``file://`` URI; None for a ``file://`` URI naming another host."""
    if not spec.lower().startswith("file://"):
        return spec
    parts = urllib.parse.urlsplit(spec)
    if parts.netloc.lower() not in ("", "localhost"):
        return None
    return urllib.parse.unquote(parts.path)


def _list_local(spec: str, where: _Local) -> list[InputRef]:
    """A manifest's relative paths are relative to the manifest's folder, so a manifest travels with its data."""
    path = _local_path(spec)
    if path is None:
        if where.from_manifest:
            return [problem_ref(spec, "unreadable", "file:// URI with a host: only local files are read")]
        raise UsageError(f"file:// URI with a host: only local files are read: {spec}")
    path = os.path.expanduser(path)
    if where.base is not None and not os.path.isabs(path):
        path = os.path.join(where.base, path)
    path = os.path.abspath(path)
    # Confinement is decided before anything outside is looked at: no existence oracle, no listing of foreign
    # folders by a glob (for a glob, the folder before its first wildcard must be inside).
    checked = path
    if not os.path.lexists(path) and glob.has_magic(path):
        checked = os.path.dirname(path[: _GLOB_CHARS.search(path).start()])
    if not _inside(checked, where.confine):
        if where.from_manifest:
            return [problem_ref(path, "outside_root", _outside_detail(where))]
        raise UsageError(f"input outside --root {where.confine}: {spec}")
    if os.path.lexists(path):
        matches = [path]
    elif glob.has_magic(path):
        matches = sorted(glob.glob(path, recursive=True))
    else:
        matches = []
    if not matches:
        if where.from_manifest:
            return [problem_ref(path, "unreadable", f"manifest entry not found: {spec}")]
        raise UsageError(f"no file matches {spec}" if glob.has_magic(path) else f"input not found: {spec}")
    out: list[InputRef] = []
    seen_dirs: set[tuple[int, int]] = set()
    for p in matches:
        if not _inside(p, where.confine):
            out.append(problem_ref(p, "outside_root", _outside_detail(where)))
        elif os.path.isdir(p):
            _walk(p, out, seen_dirs, where)
        else:
            out.append(local_ref(p))
    return out


def _outside_detail(where: _Local) -> str:
    if where.from_manifest and where.base is not None and where.confine == os.path.realpath(where.base):
        return "outside the manifest's folder (set --root or [ingest] root to allow a wider folder)"
    return "outside the root folder (--root / [ingest] root)"


def _walk(directory: str, out: list[InputRef], seen: set[tuple[int, int]], where: _Local) -> None:
    """Recursive, sorted, hidden entries skipped; symlinked folders followed once (loops end at a seen folder), and
    with a root only while they stay inside it."""
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
        if where.confine is not None and e.is_symlink() and not _inside(e.path, where.confine):
            out.append(problem_ref(e.path, "outside_root", "a symlink to " + _outside_detail(where)))
            continue
        try:
            is_dir = e.is_dir()
        except OSError:
            is_dir = False
        if is_dir:
            _walk(e.path, out, seen, where)
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


def problem_ref(path: str, reason: str, detail: str) -> InputRef:
    """An input found while listing to be a reject: never stat'ed or opened (its size and date would tell what lies
    outside the root). Its key names the reason, so the same entry is not rejected again by every run, and once it
    becomes readable (the file appears, the root widens) its key changes and it is read."""
    uri = Path(path).as_uri() if os.path.isabs(path) else path
    return InputRef(uri=uri, open_uri="", size=None, mtime=None, etag=None, key=f"{uri}|{reason}",
                    problem=(reason, detail))


# --- http(s) -----------------------------------------------------------------------------------------------------


def _http_ref(spec: str, allowed: Iterable[str] = DEFAULT_ALLOWED_URL_PARAMS) -> InputRef:
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
    return remote_ref(spec, size, etag, allowed)


def remote_ref(
    spec: str, size: int | None, etag: str | None, allowed: Iterable[str] = DEFAULT_ALLOWED_URL_PARAMS
) -> InputRef:
    """An http(s) URL's identity is ``identity_uri`` (secrets out, their fingerprint in). S3 and GCS URIs are built
    from bucket and key by the listing, without credentials; a ``?`` or ``#`` in an object key is part of its name."""
    scheme = scheme_of(spec)
    uri = identity_uri(spec, allowed) if scheme in ("http", "https") else "{}://{}/{}".format(scheme, *split_bucket(spec))
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
        raise UsageError(f"no file matches {shown}" if m else f"input not found: {shown}")
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
        raise UsageError(f"no file matches {shown}" if m else f"input not found: {shown}")
    return sorted(refs, key=lambda r: r.uri)
