import os
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from conftest import moto_s3

from newsbeam.ingest.sources import InputRef, UsageError, list_inputs, local_ref, strip_credentials


def names(refs):
    return [r.uri.rsplit("/", 1)[1] for r in refs]


@pytest.fixture
def tree(tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "two.txt").write_text("two")
    (tmp_path / "b" / "deep").mkdir()
    (tmp_path / "b" / "deep" / "three.jsonl").write_text("{}")
    (tmp_path / "a.txt").write_text("one")
    (tmp_path / ".hidden.txt").write_text("x")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "config.txt").write_text("x")
    (tmp_path / "b" / "deep" / ".cache.json").write_text("x")
    return tmp_path


def test_directory_recursive_sorted_hidden_skipped(tree):
    refs = list_inputs([str(tree)])
    assert [r.uri for r in refs] == sorted(r.uri for r in refs)
    assert names(refs) == ["a.txt", "three.jsonl", "two.txt"]
    a = refs[0]
    st = os.stat(tree / "a.txt")
    assert a.uri == (tree / "a.txt").as_uri() and a.uri.startswith("file:///")
    assert a.open_uri == str(tree / "a.txt")
    assert (a.size, a.mtime, a.etag) == (3, st.st_mtime, None)
    assert a.key == f"{a.uri}|3|{st.st_mtime_ns}"
    assert "open_uri" not in repr(a)


def test_key_changes_with_content(tree):
    before = list_inputs([str(tree / "a.txt")])[0].key
    (tree / "a.txt").write_text("one more")
    assert list_inputs([str(tree / "a.txt")])[0].key != before


def test_dedup_and_file_uri(tree):
    refs = list_inputs([str(tree), str(tree / "a.txt"), (tree / "a.txt").as_uri()])
    assert names(refs) == ["a.txt", "three.jsonl", "two.txt"]


def test_globs(tree, monkeypatch):
    assert names(list_inputs([str(tree / "*.txt")])) == ["a.txt"]
    assert names(list_inputs([str(tree / "**" / "*.jsonl")])) == ["three.jsonl"]
    assert names(list_inputs([str(tree / "b*")])) == ["three.jsonl", "two.txt"]  # a matched folder is walked
    monkeypatch.chdir(tree)
    assert names(list_inputs(["b/*.txt"])) == ["two.txt"]


def test_missing_inputs_are_usage_errors(tree):
    with pytest.raises(UsageError, match=r"^input not found: .*nope\.txt$"):
        list_inputs([str(tree / "nope.txt")])
    with pytest.raises(UsageError, match=r"^no file matches .*\*\.xml$"):  # a glob says what it is (#19)
        list_inputs([str(tree / "*.xml")])
    with pytest.raises(UsageError, match="unsupported input scheme ftp"):
        list_inputs(["ftp://example.org/a.txt"])


def test_manifest(tree, tmp_path_factory):
    other = tmp_path_factory.mktemp("elsewhere")
    manifest = tree / "b" / "list.txt"
    manifest.write_text(f"# inputs\n\n../a.txt\n  deep/three.jsonl  \n{other}\n")
    (other / "x.html").write_text("<p>x</p>")
    refs = list_inputs([], manifests=[str(manifest)], root=str(tmp_path_factory.getbasetemp()))
    assert sorted(names(refs)) == ["a.txt", "three.jsonl", "x.html"] and not any(r.problem for r in refs)
    with pytest.raises(UsageError, match="cannot read manifest"):
        list_inputs([], manifests=[str(tree / "missing.txt")])
    # Entries outside the manifest's folder (no root given) and missing entries are rejects: tests/test_manifests.py
    manifest.write_text("gone.txt\n")
    (gone,) = list_inputs([], manifests=[str(manifest)])
    assert gone.problem == ("unreadable", "manifest entry not found: gone.txt") and gone.open_uri == ""


def test_symlinks_fifos_and_loops_do_not_crash(tmp_path):
    (tmp_path / "real").mkdir()
    (tmp_path / "real" / "f.txt").write_text("x")
    os.symlink("..", tmp_path / "real" / "up")  # folder loop
    os.symlink("self.txt", tmp_path / "self.txt")  # symlink loop
    os.symlink("missing.txt", tmp_path / "dangling.txt")
    os.mkfifo(tmp_path / "pipe.txt")  # would block anyone who reads it
    refs = list_inputs([str(tmp_path)])
    assert names(refs) == ["dangling.txt", "pipe.txt", "f.txt", "self.txt"]  # sorted by uri: real/f.txt
    by_name = dict(zip(names(refs), refs, strict=True))
    assert by_name["self.txt"].size is None and by_name["dangling.txt"].size is None
    # A dangling symlink given explicitly exists as a link: listed, and reading it becomes a reject.
    assert names(list_inputs([str(tmp_path / "dangling.txt")])) == ["dangling.txt"]


def test_unreadable_folder_is_listed(tmp_path, monkeypatch):
    (tmp_path / "ok.txt").write_text("x")
    (tmp_path / "locked").mkdir()
    real = os.scandir

    def scandir(path):
        if str(path).endswith("locked"):
            raise PermissionError(13, "Permission denied")
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)
    assert names(list_inputs([str(tmp_path)])) == ["locked", "ok.txt"]


def test_local_ref_is_picklable_and_frozen(tmp_path):
    import pickle

    p = tmp_path / "a b#c.txt"
    p.write_text("x")
    ref = local_ref(str(p))
    assert ref.uri.endswith("/a%20b%23c.txt")
    assert pickle.loads(pickle.dumps(ref)) == ref
    with pytest.raises(AttributeError):
        ref.uri = "x"  # type: ignore[misc]


@pytest.mark.parametrize(
    "uri,clean",
    [
        ("https://user:pw@news.example/a?id=3", "https://news.example/a?id=3"),
        (
            "https://b.s3.amazonaws.com/k.txt?X-Amz-Algorithm=AWS4&X-Amz-Credential=AK%2F1&X-Amz-Signature=ff&v=2",
            "https://b.s3.amazonaws.com/k.txt?v=2",
        ),
        ("https://h/x?Signature=a&Expires=1&AWSAccessKeyId=b", "https://h/x"),
        ("https://h/x?sig=a&sv=2020&token=t&access_token=u&api_key=k&page=2", "https://h/x?page=2"),
        ("s3://AKIA:secret@bucket/key.txt", "s3://bucket/key.txt"),
        ("https://h:8443/x#frag", "https://h:8443/x"),
        ("not a url", "not a url"),
    ],
)
def test_strip_credentials(uri, clean):
    assert strip_credentials(uri) == clean


# --- http ---------------------------------------------------------------------------------------------------------


class _Handler(BaseHTTPRequestHandler):
    def do_HEAD(self):
        if self.path.startswith("/a.txt"):
            self.send_response(200)
            self.send_header("Content-Length", "11")
            self.send_header("ETag", '"v1"')
        else:
            self.send_response(404)
            self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def http_url():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    t = threading.Thread(target=server.serve_forever, daemon=True)
    t.start()
    yield f"127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def closed_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def test_http_listing_uses_head_and_strips_credentials(http_url):
    refs = list_inputs([f"http://me:pw@{http_url}/a.txt?token=abc&page=1", f"http://{http_url}/missing.txt"])
    a, missing = refs
    assert a.uri.startswith(f"http://{http_url}/a.txt?page=1#stripped-")  # the fingerprint of me:pw and token
    assert a.open_uri == f"http://me:pw@{http_url}/a.txt?token=abc&page=1"
    assert (a.size, a.etag, a.mtime) == (11, '"v1"', None)
    assert a.key == f'{a.uri}|11|"v1"'
    assert "pw" not in repr(a) and "abc" not in repr(a)
    # A failing HEAD still lists the URL: reading it decides between article and reject.
    assert (missing.size, missing.etag) == (None, None)
    down = list_inputs([f"http://127.0.0.1:{closed_port()}/x.txt"])
    assert [(r.size, r.etag) for r in down] == [(None, None)]


# --- s3 (moto server) ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def s3():
    keys = ("feeds/a.jsonl.gz", "feeds/sub/b.txt", "feeds/.hidden.txt", "feeds/.tmp/c.txt", "other/d.txt")
    with moto_s3({"news": {key: b"body of " + key.encode() for key in keys}}) as client:
        yield client


def test_s3_prefix_glob_and_single_key(s3):
    refs = list_inputs(["s3://news/feeds/"])
    assert [r.uri for r in refs] == ["s3://news/feeds/a.jsonl.gz", "s3://news/feeds/sub/b.txt"]
    assert refs[0].size == len(b"body of feeds/a.jsonl.gz")
    assert refs[0].etag and refs[0].key == f"s3://news/feeds/a.jsonl.gz|{refs[0].size}|{refs[0].etag}"
    assert [r.uri for r in list_inputs(["s3://news/feeds/*.gz"])] == ["s3://news/feeds/a.jsonl.gz"]
    assert [r.uri for r in list_inputs(["s3://news/**/*.txt"])] == [
        "s3://news/feeds/sub/b.txt",
        "s3://news/other/d.txt",
    ]
    one = list_inputs(["s3://AKIA:secret@news/other/d.txt"])
    assert [(r.uri, r.open_uri, r.size) for r in one] == [
        ("s3://news/other/d.txt", "s3://news/other/d.txt", len(b"body of other/d.txt"))
    ]


def test_s3_missing_is_usage_error(s3):
    with pytest.raises(UsageError, match=r"^input not found: s3://news/nope\.txt$"):
        list_inputs(["s3://news/nope.txt"])
    with pytest.raises(UsageError, match=r"^input not found: s3://news/empty/$"):
        list_inputs(["s3://news/empty/"])
    with pytest.raises(UsageError, match=r"^cannot list s3://no-such-bucket/"):
        list_inputs(["s3://no-such-bucket/"])


def test_inputref_fields_are_the_contract():
    assert list(InputRef.__dataclass_fields__) == ["uri", "open_uri", "size", "mtime", "etag", "key", "problem"]
