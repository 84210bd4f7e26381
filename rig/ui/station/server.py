"""The station page's web server: Starlette routes over the :class:`StationBoard`, served by uvicorn.

Why Starlette with server-sent events: the page only needs one live stream (the board's snapshots) and a few
small POSTs (answer a prompt, scan a serial, stop); SSE is plain HTTP that an offline desk browser reconnects
on its own, and Starlette is the small async core FastAPI is built on, without a schema layer we would not use.
Every asset is served from the package (the desk may have no internet).

Watching needs nothing; acting (answering, scanning, stopping) needs the PIN when one is set, which the
command does whenever the page is served beyond this machine.
"""

from __future__ import annotations

import hmac
import json
import threading
import time
from collections.abc import AsyncIterator, Callable
from importlib import resources

import anyio
import uvicorn
from sse_starlette.sse import EventSourceResponse
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from rig.core.colors import DISPOSITION_COLORS, UNKNOWN_COLOR
from rig.ui.scanner import SerialError, validate_serial
from rig.ui.station.board import PromptAnswer, StationBoard

PIN_HEADER = "X-Station-Pin"
STREAM_REFRESH_S = 1.0    # a snapshot at least this often: countdowns and the LED strip move between changes
MAX_BODY_BYTES = 4096
STOP_GRACE_S = 1.0        # open event streams never end by themselves: a stopping station cuts them after this


def create_app(board: StationBoard, pin: str | None = None, report_url: str | None = None,
               disposition_colours: dict[str, str] | None = None,
               report_page: Callable[[], str] | None = None) -> Starlette:
    """The page and its API over ``board``. Colours default to the one colour map (``rig.core.colors``);
    ``report_page`` (the results CSV as ``rig report``'s HTML, built by the command) is served at ``/report``."""
    colours = DISPOSITION_COLORS if disposition_colours is None else disposition_colours
    if report_page is not None and report_url is None:
        report_url = "/report"

    def allowed(request: Request) -> bool:
        if not pin:
            return True
        given = request.headers.get(PIN_HEADER, "")
        return hmac.compare_digest(given.encode(), pin.encode())

    def refused() -> JSONResponse:
        return JSONResponse({"error": "this station needs its PIN to act (watching needs none)"}, status_code=401)

    async def body_json(request: Request) -> dict | None:
        raw = await request.body()
        if len(raw) > MAX_BODY_BYTES:
            return None
        try:
            data = json.loads(raw or b"{}")
        except ValueError:
            return None
        return data if isinstance(data, dict) else None

    async def index(_request: Request) -> HTMLResponse:
        page = resources.files("rig.ui.station").joinpath("static/index.html").read_text(encoding="utf-8")
        return HTMLResponse(page)

    async def config(_request: Request) -> JSONResponse:
        return JSONResponse({
            "pin_required": bool(pin),
            "slots": len(board.tiles),
            "report_url": report_url,
            "colours": colours,
            "unknown_colour": UNKNOWN_COLOR,
        })

    async def slots(_request: Request) -> JSONResponse:
        return JSONResponse(board.slots_json())

    async def cameras(_request: Request) -> JSONResponse:
        return JSONResponse(board.cameras_json())

    async def prompts(_request: Request) -> JSONResponse:
        return JSONResponse(board.prompts_json())

    async def events(request: Request) -> EventSourceResponse:
        async def stream() -> AsyncIterator[dict]:
            seen = -1
            while not await request.is_disconnected():
                snapshot = board.snapshot()
                seen = snapshot["version"]
                yield {"event": "board", "data": json.dumps(snapshot)}
                await anyio.to_thread.run_sync(board.wait_change, seen, STREAM_REFRESH_S, abandon_on_cancel=True)

        return EventSourceResponse(stream(), ping=15)

    async def answer(request: Request) -> JSONResponse:
        if not allowed(request):
            return refused()
        data = await body_json(request)
        try:
            prompt_id = int(request.path_params["prompt_id"])
            reply = PromptAnswer(str((data or {}).get("answer", "")))
        except ValueError:
            return JSONResponse({"error": "answer must be 'done' or 'cant'"}, status_code=400)
        if reply is PromptAnswer.TIMEOUT:
            return JSONResponse({"error": "answer must be 'done' or 'cant'"}, status_code=400)
        if not board.answer_prompt(prompt_id, reply, str((data or {}).get("note", ""))[:200]):
            return JSONResponse({"error": f"no open prompt {prompt_id} (answered already, or timed out)"},
                                status_code=409)
        return JSONResponse({"ok": True})

    async def scan(request: Request) -> JSONResponse:
        if not allowed(request):
            return refused()
        data = await body_json(request)
        if data is None or not isinstance(data.get("serial"), str):
            return JSONResponse({"error": "send {\"serial\": \"...\"}"}, status_code=400)
        try:
            serial = validate_serial(data["serial"], "scanned serial")
        except SerialError as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        if board.batch_over or board.stop_requested:
            return JSONResponse({"error": "the station is stopping: no more cameras"}, status_code=409)
        board.scan(serial)
        return JSONResponse({"ok": True, "serial": serial})

    async def stop(request: Request) -> JSONResponse:
        if not allowed(request):
            return refused()
        board.request_stop()
        return JSONResponse({"ok": True})

    async def report(_request: Request) -> Response:
        if report_page is None:
            return JSONResponse({"error": "this station has no results file to report on"}, status_code=404)
        # Rendering reads the CSV and draws plots: off the event loop, so the live stream keeps flowing.
        return HTMLResponse(await anyio.to_thread.run_sync(report_page))

    async def favicon(_request: Request) -> Response:
        return Response(status_code=204)

    routes = [
        Route("/", index),
        Route("/favicon.ico", favicon),
        Route("/report", report),
        Route("/api/config", config),
        Route("/api/slots", slots),
        Route("/api/cameras", cameras),
        Route("/api/prompts", prompts),
        Route("/api/events", events),
        Route("/api/prompts/{prompt_id}", answer, methods=["POST"]),
        Route("/api/scan", scan, methods=["POST"]),
        Route("/api/stop", stop, methods=["POST"]),
        Mount("/static", StaticFiles(packages=[("rig.ui.station", "static")]), name="static"),
    ]
    return Starlette(routes=routes)


class StationServer:
    """uvicorn in a background thread, so the bench keeps the main thread (and its signal handling)."""

    def __init__(self, app: Starlette, host: str, port: int) -> None:
        self._server = uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level="warning",
                                                     access_log=False, lifespan="off",
                                                     timeout_graceful_shutdown=STOP_GRACE_S))
        self._thread = threading.Thread(target=self._server.run, name="station-web", daemon=True)

    def start(self, timeout_s: float = 10.0) -> None:
        """Start serving; raises OSError (address in use, no permission) in one line if it cannot."""
        self._thread.start()
        # Real time: this waits for a socket to open, not for anything on the bench.
        deadline = time.monotonic() + timeout_s
        while not self._server.started and self._thread.is_alive() and time.monotonic() < deadline:
            time.sleep(0.02)
        if not self._server.started:
            self.stop()
            raise OSError(f"could not serve on {self.url} (address in use, or not allowed)")

    @property
    def url(self) -> str:
        config = self._server.config
        host = config.host if ":" not in config.host else f"[{config.host}]"
        return f"http://{host}:{self.port}/"

    @property
    def port(self) -> int:
        servers = getattr(self._server, "servers", None) or []
        for server in servers:
            for sock in server.sockets:
                return int(sock.getsockname()[1])
        return int(self._server.config.port)

    def stop(self) -> None:
        self._server.should_exit = True
        if self._thread.is_alive():
            self._thread.join(timeout=5.0)
