"""Raw bytes of one input: a local file, or a remote object through smart_open with retries and resume-on-error.

Failures here are the transport's own: ``unreadable`` for a local file, ``unreachable`` for a remote object (raised
as ``Problem``). Errors of a decompressor on top of these streams are the stream layer's (``streams.Guarded``).
"""

from __future__ import annotations

import errno
import os
import stat
import time
from collections.abc import Callable
from typing import Any

from newsbeam.ingest.context import Problem, ReadContext
from newsbeam.ingest.sources import s3_client, split_bucket


def open_raw(ctx: ReadContext, scheme: str) -> tuple[Any, int | None]:
    """(stream, size) of the input's stored bytes; the size of a remote object comes from its listing."""
    if scheme in ("", "file"):
        return _open_local(ctx.ref.open_uri)
    return _open_remote(ctx, scheme), ctx.ref.size


def _open_local(path: str) -> tuple[Any, int]:
    try:
        st = os.stat(path)
    except OSError as e:
        raise Problem("unreadable", _os_reason(e)) from e
    if stat.S_ISDIR(st.st_mode):
        raise Problem("unreadable", "is a directory")
    if not stat.S_ISREG(st.st_mode):
        raise Problem("unreadable", "not a regular file (FIFO, socket or device)")
    try:
        f = open(path, "rb")  # noqa: SIM115 - closed by readers._read
    except OSError as e:
        raise Problem("unreadable", _os_reason(e)) from e
    return _LocalReader(f), st.st_size


def _os_reason(e: OSError) -> str:
    if e.errno == errno.ELOOP:
        return "symlink loop"
    if e.errno == errno.ENOENT:
        return "file not found (dangling symlink, or removed after listing)"
    if e.errno in (errno.EACCES, errno.EPERM):
        return "permission denied"
    if e.errno == errno.EISDIR:
        return "is a directory"
    return f"{e.__class__.__name__}: {e.strerror or e}"


class _LocalReader:
    """Read errors of the file itself are 'unreadable', unlike errors of a decompressor above it."""

    def __init__(self, f):
        self.f = f

    def read(self, n: int = -1) -> bytes:
        try:
            return self.f.read(n)
        except OSError as e:
            raise Problem("unreadable", _os_reason(e)) from e

    def close(self) -> None:
        self.f.close()


# --- Remote -------------------------------------------------------------------------------------------------------


def _open_remote(ctx: ReadContext, scheme: str) -> Any:
    import smart_open

    ref, opts = ctx.ref, ctx.opts
    if scheme in ("http", "https"):
        params: dict[str, Any] = {"timeout": opts.timeout}
    elif scheme == "s3":
        params = {"client": s3_client(opts.timeout, attempts=1)}
    elif scheme == "gs":
        params = {}
    else:
        raise Problem("unreachable", f"unsupported scheme {scheme}://")
    target = ref.open_uri
    if scheme == "s3":
        bucket, key = split_bucket(target)
        target = f"s3://{bucket}/{key}"  # credentials only from the standard places, never from the URI

    def opener() -> Any:
        return smart_open.open(target, "rb", compression="disable", transport_params=params)

    return _RemoteReader(ctx, opener, _with_retries(ctx, opener))


def _with_retries(ctx: ReadContext, fn: Callable[[], Any]) -> Any:
    opts = ctx.opts
    last: BaseException | None = None
    for attempt in range(opts.retries + 1):
        if attempt:
            ctx.counts.append("remote-retries")
            time.sleep(opts.backoff * 2 ** (attempt - 1))
        try:
            return fn()
        except Exception as e:
            if not _transient(e):
                raise Problem("unreachable", _describe(e)) from e
            last = e
    raise Problem("unreachable", f"{_describe(last)} (after {opts.retries + 1} attempts)")


class _RemoteReader:
    """Reads on; after a transient error reopens and seeks to where it was (HTTP ranges, S3 ranged GETs)."""

    def __init__(self, ctx: ReadContext, opener: Callable[[], Any], stream: Any):
        self.ctx, self.opener, self.stream = ctx, opener, stream
        self.pos = 0

    def read(self, n: int = -1) -> bytes:
        try:
            data = self.stream.read(n)
        except Exception as e:
            if not _transient(e):
                raise Problem("unreachable", f"read failed at byte {self.pos}: {_describe(e)}") from e
            data = self._resume(n)
        self.pos += len(data)
        return data

    def _resume(self, n: int) -> bytes:
        def again() -> bytes:
            try:
                self.stream.close()
            except Exception:  # the old connection is already broken
                pass
            self.stream = self.opener()
            if self.pos:
                self.stream.seek(self.pos)
            return self.stream.read(n)

        return _with_retries(self.ctx, again)

    def close(self) -> None:
        self.stream.close()


def _transient(e: BaseException) -> bool:
    """Worth retrying: connection problems, timeouts, throttling and server errors; not 404/403/no credentials."""
    import requests

    if isinstance(e, requests.HTTPError):
        status = e.response.status_code if e.response is not None else None
        return status is None or status in (408, 425, 429) or status >= 500
    if isinstance(e, (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError)):
        return True
    try:
        import botocore.exceptions as bx
    except ImportError:  # pragma: no cover - boto3 comes with smart-open[s3]
        bx = None
    if bx is not None:
        err = getattr(e, "backend_error", e)  # smart_open wraps ClientError in OSError
        if isinstance(err, bx.ClientError):
            meta = err.response.get("ResponseMetadata", {})
            code = err.response.get("Error", {}).get("Code", "")
            status = meta.get("HTTPStatusCode") or 0
            return status >= 500 or status == 429 or code in ("SlowDown", "Throttling", "RequestTimeout")
        if isinstance(e, (bx.NoCredentialsError, bx.PartialCredentialsError, bx.ParamValidationError)):
            return False
        if isinstance(e, (bx.HTTPClientError, bx.ConnectionError)):
            return True
    if isinstance(e, (ConnectionError, TimeoutError)):
        return True
    mod = type(e).__module__
    return mod.startswith("urllib3") or (mod.startswith("http.client") and isinstance(e, Exception))


def _describe(e: BaseException | None) -> str:
    if e is None:
        return "unknown error"
    import requests

    if isinstance(e, requests.HTTPError) and e.response is not None:
        return f"HTTP {e.response.status_code} {e.response.reason or ''}".strip()
    err = getattr(e, "backend_error", None)
    if err is not None and hasattr(err, "response"):
        code = err.response.get("Error", {}).get("Code", "")
        return f"S3 error {code}".strip()
    if type(e).__name__ == "NoCredentialsError":
        return "no credentials found (environment, config files or instance role)"
    text = str(e).splitlines()[0] if str(e) else ""
    return f"{e.__class__.__name__}: {text}"
