"""A small client for Streamlit's own websocket protocol: one object, one app session.

It does what the frontend does for the parts the load benchmark needs, without a browser:
open ``/_stcore/stream``, ask for a script run of a page (``BackMsg.rerun_script`` with the
page's URL name and query string, like following a link or clicking a page in the
sidebar), collect the elements the run draws (``ForwardMsg.delta``), press a button (a rerun
whose widget state carries the button's trigger) and move a slider (a rerun with its new value;
the other widgets keep theirs, as when a student drags one slider). A run is over when the server
says ``script_finished`` for a full run (not a run cut short for a rerun, not a fragment).

Elements are kept as ``Drawn(kind, text)``: the element's type (``"plotly_chart"``,
``"audio"``, ``"exception"``, …) and its visible text where it has one, last write wins
per position on the page, as in the browser.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from urllib.parse import urlparse

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.Element_pb2 import Element
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

#: Element fields whose visible text is worth searching (type → field holding the text).
_TEXT_FIELDS = {"markdown": "body", "alert": "body", "html": "body", "text": "body", "heading": "body",
                "exception": "message", "metric": "label", "button": "label", "caption": "body",
                "code": "code_text", "page_link": "label", "progress": "text", "slider": "label",
                "audio": "url"}
_DONE = {ForwardMsg.ScriptFinishedStatus.FINISHED_SUCCESSFULLY,
         ForwardMsg.ScriptFinishedStatus.FINISHED_WITH_COMPILE_ERROR}


@dataclass(frozen=True)
class Drawn:
    """One element on the page: its type and its visible text ('' when it has none)."""

    kind: str
    text: str
    widget_id: str = ""


def describe(element: Element) -> Drawn:
    kind = element.WhichOneof("type") or ""
    sub = getattr(element, kind, None) if kind else None
    text = str(getattr(sub, _TEXT_FIELDS[kind], "")) if kind in _TEXT_FIELDS and sub is not None else ""
    if kind == "exception" and sub is not None:
        text = f"{sub.type}: {sub.message}"
    widget_id = str(getattr(sub, "id", "")) if kind in ("button", "slider") else ""
    return Drawn(kind, text, widget_id)


class AppSession:
    """One Streamlit session over one websocket (``async with AppSession(url) as s: ...``)."""

    def __init__(self, base_url: str, open_timeout: float = 60.0) -> None:
        u = urlparse(base_url)
        self.ws_url = f"ws://{u.hostname}:{u.port}/_stcore/stream"
        self.open_timeout = open_timeout
        self.ws = None
        self.page_name = ""
        self.query = ""
        self.elements: dict[tuple[int, ...], Drawn] = {}
        self.page_not_found = False

    async def __aenter__(self) -> AppSession:
        self.ws = await websockets.connect(self.ws_url, subprotocols=["streamlit"], max_size=None,
                                           open_timeout=self.open_timeout, ping_interval=None)
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.ws.close()

    async def _send_rerun(self, button_id: str | None = None, slider: tuple[str, float] | None = None) -> None:
        msg = BackMsg()
        cs = msg.rerun_script
        cs.query_string = self.query
        cs.page_name = self.page_name
        if button_id:
            w = cs.widget_states.widgets.add()
            w.id = button_id
            w.trigger_value = True
        if slider:
            w = cs.widget_states.widgets.add()
            w.id = slider[0]
            w.double_array_value.data.append(slider[1])
        await self.ws.send(msg.SerializeToString())

    async def _until_finished(self, timeout: float) -> float:
        """Read messages until a full run finishes; returns the seconds it took."""
        t0 = time.monotonic()
        deadline = t0 + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"no finished run within {timeout:.0f} s")
            raw = await asyncio.wait_for(self.ws.recv(), left)
            fm = ForwardMsg()
            fm.ParseFromString(raw)
            kind = fm.WhichOneof("type")
            if kind == "new_session":
                self.elements.clear()          # a fresh full run redraws the page
            elif kind == "delta" and fm.delta.WhichOneof("type") == "new_element":
                self.elements[tuple(fm.metadata.delta_path)] = describe(fm.delta.new_element)
            elif kind == "page_not_found":
                self.page_not_found = True
            elif kind == "script_finished" and fm.script_finished in _DONE:
                return time.monotonic() - t0

    async def open(self, path: str, timeout: float = 120.0) -> float:
        """Run page ``path`` ("" for home, "music?mus_len=128"); returns seconds until finished."""
        name, _, query = path.partition("?")
        self.page_name, self.query, self.page_not_found = name, query, False
        await self._send_rerun()
        return await self._until_finished(timeout)

    async def click(self, label: str, timeout: float = 120.0) -> float:
        """Press the (first) button whose label contains ``label``; returns seconds until finished."""
        ids = [d.widget_id for d in self.elements.values() if d.kind == "button" and label in d.text]
        if not ids:
            raise LookupError(f"no button {label!r} on the page")
        await self._send_rerun(ids[0])
        return await self._until_finished(timeout)

    async def slide(self, label: str, value: float, timeout: float = 120.0) -> float:
        """Move the (first) numeric slider whose label contains ``label``; returns seconds until finished."""
        ids = [d.widget_id for d in self.elements.values() if d.kind == "slider" and label in d.text]
        if not ids:
            raise LookupError(f"no slider {label!r} on the page")
        await self._send_rerun(slider=(ids[0], float(value)))
        return await self._until_finished(timeout)

    def has(self, kind: str, text: str = "") -> bool:
        """Is there an element of type ``kind`` ('' for any) whose text contains ``text``?"""
        return any((not kind or d.kind == kind) and text in d.text for d in self.elements.values())
