"""``make serve`` serves the site as GitHub Pages does: gzip and cache headers."""

from __future__ import annotations

import gzip
import threading
import urllib.request

import pytest

from lbclbook.toolchain import serve

PAGE = ("<!doctype html><title>t</title>" + "<p>Salvage after CAR-T failure.</p>" * 100).encode()


@pytest.fixture
def site(tmp_path):
    (tmp_path / "index.html").write_bytes(PAGE)
    (tmp_path / "tiny.css").write_bytes(b"p{}")
    (tmp_path / "figure.png").write_bytes(b"\x89PNG" + bytes(4000))
    (tmp_path / "chapters").mkdir()
    (tmp_path / "chapters" / "index.html").write_bytes(PAGE)
    httpd = serve.server(tmp_path, port=0)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def get(url, **headers):
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, b""


def test_text_is_gzipped_for_a_browser_that_accepts_it(site):
    status, headers, body = get(site + "/", **{"Accept-Encoding": "gzip, deflate, br"})
    assert status == 200
    assert headers["Content-Encoding"] == "gzip"
    assert headers["Vary"] == "Accept-Encoding"
    assert gzip.decompress(body) == PAGE
    assert len(body) < len(PAGE) / 5


def test_without_accept_encoding_the_file_is_sent_as_it_is(site):
    status, headers, body = get(site + "/index.html")
    assert headers["Content-Encoding"] is None
    assert body == PAGE


def test_images_and_tiny_files_are_not_compressed(site):
    for name in ("figure.png", "tiny.css"):
        _, headers, _ = get(f"{site}/{name}", **{"Accept-Encoding": "gzip"})
        assert headers["Content-Encoding"] is None, name


def test_every_response_carries_github_pages_cache_headers_and_revalidates(site):
    status, headers, _ = get(site + "/chapters/", **{"Accept-Encoding": "gzip"})
    assert status == 200
    assert headers["Cache-Control"] == "max-age=600"
    assert headers["Last-Modified"]
    status, _, body = get(site + "/chapters/", **{"If-None-Match": headers["ETag"]})
    assert (status, body) == (304, b"")


def test_a_folder_without_its_slash_redirects_and_a_missing_page_is_404(site):
    assert get(site + "/missing.html")[0] == 404
    status, _, body = get(site + "/chapters")  # urllib follows the 301
    assert status == 200 and body == PAGE
