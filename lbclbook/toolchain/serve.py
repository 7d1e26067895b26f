"""Preview the site as GitHub Pages serves it: ``python -m lbclbook.toolchain.serve``.

A plain ``python -m http.server`` sends every page, stylesheet and script
uncompressed and without cache headers, so what an author previews loads two
to three times slower on a phone than what a reader gets. This server adds
what GitHub Pages adds to a static site:

- gzip for text (HTML, CSS, JavaScript, JSON, SVG, XML, plain text) when the
  browser accepts it, with ``Vary: Accept-Encoding``;
- ``Cache-Control: max-age=600`` on every response, as GitHub Pages sends;
- ``ETag`` and ``Last-Modified`` (from the standard library's handler),
  answering a matching ``If-None-Match`` with 304.
"""

from __future__ import annotations

import argparse
import email.utils
import functools
import gzip
import hashlib
import os
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from ..paths import book_root

CACHE_CONTROL = "max-age=600"  # GitHub Pages' header for every file
COMPRESSED_TYPES = ("text/", "application/javascript", "application/json",
                    "image/svg+xml", "application/xml")
MIN_COMPRESSED_BYTES = 1024  # below this gzip's header costs more than it saves


class PagesHandler(SimpleHTTPRequestHandler):
    """Static files with GitHub Pages' compression and cache headers."""

    def send_head(self):
        path = Path(self.translate_path(self.path))
        if path.is_dir() and self.path.split("?")[0].endswith("/"):
            path = path / "index.html"
        if not path.is_file():
            return super().send_head()  # redirects, listings off, 404
        body = path.read_bytes()
        ctype = self.guess_type(str(path))
        etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
        if self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            self._common_headers(etag)
            self.end_headers()
            return None
        encoded = self._gzip_if_accepted(body, ctype)
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        if encoded is not body:
            self.send_header("Content-Encoding", "gzip")
        self.send_header("Vary", "Accept-Encoding")
        self.send_header("Content-Length", str(len(encoded)))
        self.send_header("Last-Modified", email.utils.formatdate(path.stat().st_mtime, usegmt=True))
        self._common_headers(etag)
        self.end_headers()
        return _Body(encoded)

    def _gzip_if_accepted(self, body: bytes, ctype: str) -> bytes:
        accepts = "gzip" in self.headers.get("Accept-Encoding", "")
        if accepts and ctype.startswith(COMPRESSED_TYPES) and len(body) >= MIN_COMPRESSED_BYTES:
            return gzip.compress(body, compresslevel=6, mtime=0)
        return body

    def _common_headers(self, etag: str) -> None:
        self.send_header("Cache-Control", CACHE_CONTROL)
        self.send_header("ETag", etag)

    def log_message(self, format: str, *args) -> None:  # quieter than the default
        if os.environ.get("LBCL_SERVE_LOG"):
            super().log_message(format, *args)


class _Body:
    """The file-like object ``SimpleHTTPRequestHandler.copyfile`` reads."""

    def __init__(self, data: bytes):
        self.data = data

    def read(self, size: int = -1) -> bytes:
        data, self.data = (self.data, b"") if size < 0 else (self.data[:size], self.data[size:])
        return data

    def close(self) -> None:
        pass


def server(site: Path, port: int = 8000, host: str = "127.0.0.1") -> ThreadingHTTPServer:
    """A server for ``site`` (not started: call ``serve_forever``)."""
    handler = functools.partial(PagesHandler, directory=str(site))
    return ThreadingHTTPServer((host, port), handler)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--site", type=Path, default=None, help="default: _build/html")
    args = parser.parse_args(argv)
    site = args.site or book_root() / "_build" / "html"
    with server(site, args.port) as httpd:
        print(f"Serving {site} at http://127.0.0.1:{args.port}/ (gzip, GitHub Pages' cache headers); "
              "Ctrl-C stops it.")
        try:
            httpd.serve_forever()
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
