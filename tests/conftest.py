"""Shared fixtures: a real S3-compatible server (moto) on 127.0.0.1 with credentials only in the environment, and a
small real file system (tmpfs) that fills up or turns read-only for real."""

from __future__ import annotations

import contextlib
import subprocess
from collections.abc import Iterator

import pytest


@contextlib.contextmanager
def moto_s3(buckets: dict[str, dict[str, bytes]]) -> Iterator:
    """Start moto's standalone server, point boto3 at it through AWS_ENDPOINT_URL, create ``buckets``; yield a client."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    mp = pytest.MonkeyPatch()
    for k in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL_S3"):
        mp.delenv(k, raising=False)
    mp.setenv("AWS_ACCESS_KEY_ID", "testing")
    mp.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    mp.setenv("AWS_DEFAULT_REGION", "us-east-1")
    mp.setenv("AWS_ENDPOINT_URL", f"http://{host}:{port}")  # honoured by boto3 itself; no extra option needed
    try:
        import boto3

        client = boto3.session.Session().client("s3")
        for bucket, objects in buckets.items():
            client.create_bucket(Bucket=bucket)
            for key, body in objects.items():
                client.put_object(Bucket=bucket, Key=key, Body=body)
        yield client
    finally:
        mp.undo()
        server.stop()


def tiny_spacy_model(folder, patterns: list[dict]) -> str:
    """A spaCy pipeline with only an entity ruler, saved under ``folder``: real spaCy, no model download."""
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe("entity_ruler").add_patterns(patterns)
    path = folder / "tiny_model"
    nlp.to_disk(path)
    return str(path)


@pytest.fixture
def small_fs(tmp_path):
    """A 16 MB tmpfs under ``tmp_path``, unmounted afterwards: a disk that fills up for real, and that ``mount -o
    remount,ro`` makes read-only for real (``chmod a-w`` does not stop root, which runs the tests here). Needs root
    with CAP_SYS_ADMIN: skipped elsewhere, with the reason."""
    mnt = tmp_path / "mnt"
    mnt.mkdir()
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(mnt)], capture_output=True)
    if r.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here (needs root with CAP_SYS_ADMIN): {r.stderr.decode().strip()}")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], check=False)


class GazetteerCache:
    """An empty gazetteer cache folder (``path``) in which ``use`` sets the builder and the fingerprint the loader
    sees: a small stand-in gazetteer builds in milliseconds instead of the real one's ~12 s."""

    def __init__(self, path, monkeypatch) -> None:
        self.path = path
        self._mp = monkeypatch

    def use(self, builder=None, fingerprint: str | None = None) -> None:
        from newsbeam.tags.places import gazetteer as gz

        if builder is not None:
            self._mp.setattr(gz, "build_gazetteer", builder)
        if fingerprint is not None:
            self._mp.setattr(gz, "source_fingerprint", lambda: fingerprint)
        gz.clear_memo()


@pytest.fixture
def gazetteer_cache(tmp_path, monkeypatch) -> Iterator[GazetteerCache]:
    """``NEWSBEAM_CACHE`` pointed at an empty folder; the gazetteer memo cleared before and after (a test's stand-in
    gazetteer must never reach another test)."""
    from newsbeam.tags.places import gazetteer as gz

    monkeypatch.setenv("NEWSBEAM_CACHE", str(tmp_path))
    gz.clear_memo()
    try:
        yield GazetteerCache(tmp_path, monkeypatch)
    finally:
        gz.clear_memo()
