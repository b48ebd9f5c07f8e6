"""The explorer as a Starlette ASGI app: the JSON API under ``/api/`` and the page's own files.

Read-only and bounded: it answers GET (and POST for JSON bodies) on a fixed set of routes, serves
only the files packaged in ``embtool/explorer/static`` plus the shipped CJK font (looked up by name in
a table made at start-up, never by joining a path from the request), refuses bodies over
``max_body_bytes`` and query strings over ``max_query_bytes``, and only accepts the Host names it
was started for (a web page elsewhere cannot reach it through DNS rebinding).
"""

from __future__ import annotations

import contextlib
import json
import threading
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from embtool.errors import EmbtoolError
from embtool.explorer.api import ApiError, Explorer, MapRequest, error_payload
from embtool.explorer.fonts import font_available, web_font
from embtool.explorer.jobs import JobQueue
from embtool.explorer.limits import Limits
from embtool.projection import ProjectionMethod
from embtool.records import json_safe
from embtool.vectors.store import VectorStore

STATIC_DIR = Path(__file__).resolve().parent / "static"
FONT_NAME = "fonts/wqy-microhei.ttf"  # made from the shipped .ttc (see embtool.explorer.fonts)
LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1", "[::1]")
_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".png": "image/png",
    ".svg": "image/svg+xml",
    ".ttf": "font/ttf",
    ".txt": "text/plain; charset=utf-8",
}
_SECURITY_HEADERS = [
    (
        b"content-security-policy",
        b"default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        b"font-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
        b"form-action 'self'",
    ),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
]


def static_files() -> dict[str, Path]:
    """The files the app may serve, by URL name: the packaged static files."""
    return {p.name: p for p in STATIC_DIR.iterdir() if p.is_file() and p.suffix in _TYPES}


def json_bytes(data: Any) -> bytes:
    """UTF-8 JSON; NaN and infinities become null, as in ``--format json``."""
    try:
        text = json.dumps(data, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    except ValueError:
        text = json.dumps(json_safe(data), ensure_ascii=False, separators=(",", ":"))
    return text.encode("utf-8")


def json_response(data: Any, status: int = 200) -> Response:
    return Response(json_bytes(data), status, media_type="application/json")


class Guard:
    """ASGI middleware: refuse over-long query strings and add the security headers."""

    def __init__(self, app: ASGIApp, limits: Limits) -> None:
        self.app = app
        self.limits = limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = list(message.get("headers", [])) + _SECURITY_HEADERS
            await send(message)

        if len(scope.get("query_string", b"")) > self.limits.max_query_bytes:
            response = json_response(
                {
                    "error": f"query string longer than {self.limits.max_query_bytes:,} bytes",
                    "kind": "too_large",
                },
                414,
            )
            await response(scope, receive, send_with_headers)
            return
        await self.app(scope, receive, send_with_headers)


async def read_params(request: Request, limits: Limits) -> dict[str, Any]:
    """Parameters of a GET (query string; repeated keys become lists) or a POST (a JSON object
    of at most ``max_body_bytes``)."""
    if request.method == "GET":
        params: dict[str, Any] = {}
        for key in request.query_params:
            values = request.query_params.getlist(key)
            params[key] = values if len(values) > 1 or key in ("word", "words") else values[0]
        return params
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limits.max_body_bytes:
        raise ApiError(413, f"request body over {limits.max_body_bytes:,} bytes", "too_large")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limits.max_body_bytes:
            raise ApiError(413, f"request body over {limits.max_body_bytes:,} bytes", "too_large")
    try:
        data = json.loads(body.decode("utf-8")) if body else {}
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ApiError(400, f"request body is not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise ApiError(400, "request body must be a JSON object")
    return data


Handler = Callable[[dict[str, Any]], Any]


def create_app(
    store: VectorStore,
    *,
    limits: Limits | None = None,
    allowed_hosts: Iterable[str] | None = LOCAL_HOSTS,
) -> Starlette:
    """The explorer over ``store``: ``GET /`` the page, ``/static/NAME`` its files, ``/api/...``.

    ``allowed_hosts`` are the Host header names accepted (None: any, for a server bound to
    another interface on purpose). Raises nothing at start-up; bad requests get 4xx JSON.
    """
    limits = limits or Limits()
    explorer = Explorer(store, limits)
    files = static_files()
    jobs = JobQueue(error_payload, limits.max_jobs)
    maps: OrderedDict[MapRequest, bytes] = OrderedDict()  # a few recent PCA maps, serialised
    maps_lock = threading.Lock()

    def api(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            params = await read_params(request, limits)
            return json_response(await run_in_threadpool(handler, params))

        return endpoint

    def pca_map(request: MapRequest) -> bytes:
        with maps_lock:
            if request in maps:
                maps.move_to_end(request)
                return maps[request]
        body = json_bytes(explorer.word_map(request))
        with maps_lock:
            maps[request] = body
            while len(maps) > 4:
                maps.popitem(last=False)
        return body

    async def projection(request: Request) -> Response:
        spec = explorer.map_request(await read_params(request, limits))
        if spec.method is ProjectionMethod.pca:
            body = await run_in_threadpool(pca_map, spec)
            return Response(body, media_type="application/json")
        job = jobs.submit(spec, lambda progress: explorer.word_map(spec, progress))
        return json_response(job.status(), 202)

    async def job_status(request: Request) -> Response:
        job = jobs.get(request.path_params["job"])
        if job is None:
            raise ApiError(404, "no such job (finished jobs are forgotten after a while)", "no_job")
        if job.state == "failed" and job.error_status is not None:
            return json_response(job.status(), job.error_status)
        return json_response(job.status())

    async def static(request: Request) -> Response:
        name = request.path_params["name"]
        if name == FONT_NAME and font_available():
            body = await run_in_threadpool(web_font)
            return Response(
                body, media_type=_TYPES[".ttf"], headers={"cache-control": "max-age=86400"}
            )
        path = files.get(name)
        if path is None:
            raise HTTPException(404)
        return FileResponse(path, media_type=_TYPES[path.suffix])

    async def index(request: Request) -> Response:
        return FileResponse(files["index.html"], media_type=_TYPES[".html"])

    async def api_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, ApiError)
        return json_response(exc.payload, exc.status)

    async def embtool_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, EmbtoolError)
        status, payload = error_payload(exc)
        return json_response(payload, status)

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        if request.url.path.startswith("/api/") or exc.status_code != 404:
            reason = {404: "no such API route", 405: "method not allowed"}.get(
                exc.status_code, str(exc.detail)
            )
            return json_response({"error": reason, "kind": "http"}, exc.status_code)
        return Response("not found\n", 404, media_type="text/plain")

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        threading.Thread(target=explorer.warm_up, name="embtool-warm-up", daemon=True).start()
        yield
        jobs.shutdown()

    both = ["GET", "POST"]
    routes = [
        Route("/", index, methods=["GET"]),
        Route("/static/{name:path}", static, methods=["GET"]),
        Route("/api/info", api(lambda _: explorer.info()), methods=["GET"]),
        Route("/api/complete", api(explorer.complete), methods=["GET"]),
        Route("/api/neighbors", api(explorer.neighbors), methods=both),
        Route("/api/analogy", api(explorer.analogy), methods=both),
        Route("/api/similarity", api(explorer.similarity), methods=both),
        Route("/api/projection", projection, methods=both),
        Route("/api/jobs/{job}", job_status, methods=["GET"]),
    ]
    middleware = [Middleware(Guard, limits=limits)]
    if allowed_hosts is not None:
        middleware.append(Middleware(TrustedHostMiddleware, allowed_hosts=list(allowed_hosts)))
    app = Starlette(
        routes=routes,
        middleware=middleware,
        exception_handlers={
            ApiError: api_error,
            EmbtoolError: embtool_error,
            HTTPException: http_error,
        },
        lifespan=lifespan,
    )
    app.state.explorer = explorer
    app.state.jobs = jobs
    return app
