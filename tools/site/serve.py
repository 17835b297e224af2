"""Serve the built site on 127.0.0.1 (``make serve-site``; the browser test uses it too).

    python tools/site/serve.py [--dir site] [--port 8000]

Any static host works for a published site; this one only makes sure the types a JupyterLite site
needs are right on every Python (``.wasm`` as application/wasm, ``.mjs`` as JavaScript) and that it
never listens beyond the loopback address.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TYPES = {".wasm": "application/wasm", ".mjs": "text/javascript", ".js": "text/javascript",
         ".json": "application/json", ".whl": "application/octet-stream", ".ipynb": "application/json"}


class Handler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map, **TYPES}
    served: list[str] | None = None  # the paths asked for, when a caller wants to count them

    def log_message(self, fmt, *args):  # quiet: one line per request would flood a test log
        if self.served is not None:
            self.served.append(self.path)


def start(directory: Path, port: int = 0) -> tuple[http.server.ThreadingHTTPServer, list[str]]:
    """Serve ``directory`` on 127.0.0.1 from a daemon thread; returns the server (``server_port``,
    ``shutdown()``) and the list the served paths are appended to."""
    served: list[str] = []
    handler = functools.partial(type("H", (Handler,), {"served": served}), directory=str(directory))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, served


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description="serve the JupyterLite site on 127.0.0.1")
    ap.add_argument("--dir", type=Path, default=ROOT / "site")
    ap.add_argument("--port", type=int, default=8000)
    a = ap.parse_args(argv)
    if not (a.dir / "index.html").exists():
        raise SystemExit(f"{a.dir} has no index.html: run `make site` first")
    handler = functools.partial(Handler, directory=str(a.dir))
    with http.server.ThreadingHTTPServer(("127.0.0.1", a.port), handler) as httpd:
        print(f"serving {a.dir} at http://127.0.0.1:{httpd.server_port}/lab/index.html  (Ctrl-C stops)")
        try:
            httpd.serve_forever()
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
