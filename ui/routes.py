"""Addresses deeper than a page (``/ner/x``, ``/pages/ner.py``): sent to their first segment.

Streamlit answers every unknown path with its ``index.html``, whose scripts are relative
(``./static/…``). Under ``/ner/x`` they would resolve to ``/ner/static/…``, which is answered with
the same HTML, so no script runs and the reader sees a blank page. :class:`DeeperPathsToTheirPage`
is a small ASGI middleware, installed by ``app.py`` through ``st.App``, that answers such a request
with a redirect to ``/ner`` (query string kept), where the lesson opens, or, for an unknown first
segment (``/pages``), Streamlit's "Page not found" note over the home page.

The app's own routes (``/_unrolled/…``, :mod:`ui.melody_audio`) are served under any prefix, and
Streamlit's own deeper paths pass untouched: its routes (``_stcore``, ``static``, ``media``,
``component``, ``app/static``) and ``/<page>/_stcore/…``, which the frontend tries on a page's address.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import quote

Scope = MutableMapping[str, Any]
ASGIApp = Callable[[Scope, Callable[[], Awaitable[Any]], Callable[[Any], Awaitable[None]]], Awaitable[None]]

#: The first segment of the app's own routes (``ui.melody_audio``), recognised under any prefix.
OWN_SEGMENT = "_unrolled"
#: First path segments that belong to Streamlit's server, never to a page.
STREAMLIT_SEGMENTS: frozenset[str] = frozenset({"_stcore", "static", "media", "component", "app"})


def page_of_deeper_path(path: str, base: str = "") -> str | None:
    """The page address a deeper unknown ``path`` should open, or ``None`` to leave the request alone.

    ``base`` is ``server.baseUrlPath`` (``""`` or ``"/course"``). ``/ner/x`` → ``/ner``;
    ``/course/pages/ner.py`` with base ``/course`` → ``/course/pages``; ``/ner``, ``/static/js/a.js``,
    ``/ner/_stcore/health`` → ``None``."""
    base = "/" + base.strip("/") if base.strip("/") else ""
    if base and not (path == base or path.startswith(base + "/")):
        return None
    parts = path[len(base):].strip("/").split("/")
    if len(parts) < 2 or not parts[0] or parts[0] in STREAMLIT_SEGMENTS or "_stcore" in parts:
        return None
    return f"{base}/{quote(parts[0], safe='%')}"


def own_route_path(path: str) -> str | None:
    """``/_unrolled/…`` (the app's own routes, e.g. a melody's audio) from ``path`` when it holds that segment
    after any prefix (a page's address, ``server.baseUrlPath``, a proxy's), else ``None``.

    ``/music/_unrolled/melody/k.mp3`` → ``/_unrolled/melody/k.mp3``; ``/ner/x`` → ``None``."""
    marker = f"/{OWN_SEGMENT}/"
    at = path.find(marker)
    return None if at < 0 else path[at:]


class DeeperPathsToTheirPage:
    """ASGI middleware: a ``GET``/``HEAD`` of ``/<page>/<more>`` gets a 302 to ``/<page>`` (query kept)."""

    def __init__(self, app: ASGIApp, base: str | None = None) -> None:
        self.app = app
        self.base = base

    def _base(self) -> str:
        if self.base is None:
            from streamlit import config
            return str(config.get_option("server.baseUrlPath") or "")
        return self.base

    async def __call__(self, scope: Scope, receive: Callable[[], Awaitable[Any]],
                      send: Callable[[Any], Awaitable[None]]) -> None:
        if scope.get("type") == "http" and scope.get("method") in {"GET", "HEAD"}:
            own = own_route_path(scope.get("path", ""))
            if own is not None:   # one of the app's own routes, under whatever prefix: served at the root
                await self.app({**scope, "path": own, "raw_path": own.encode("latin-1"), "root_path": ""},
                               receive, send)
                return
            target = page_of_deeper_path(scope.get("path", ""), self._base())
            if target is not None:
                query = scope.get("query_string", b"").decode("latin-1")
                location = target + ("?" + query if query else "")
                await send({"type": "http.response.start", "status": 302,
                            "headers": [(b"location", location.encode("latin-1")), (b"cache-control", b"no-cache"),
                                        (b"content-length", b"0")]})
                await send({"type": "http.response.body", "body": b""})
                return
        await self.app(scope, receive, send)
