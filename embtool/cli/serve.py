"""embtool serve: the local web explorer over one store (Starlette app, uvicorn server)."""

import errno
import socket
from typing import Annotated, Any

import typer

from embtool.cli.app import app
from embtool.cli.output import err, warn
from embtool.cli.vectors import VectorSource, vector_options
from embtool.errors import EmbtoolError

LOCAL = ("127.0.0.1", "localhost", "::1")


def log_config(verbose: bool) -> dict[str, Any]:
    """uvicorn's logging, all on stderr (stdout carries data only): errors, or every request."""
    level = "INFO" if verbose else "WARNING"
    handler = {"class": "logging.StreamHandler", "stream": "ext://sys.stderr"}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"plain": {"format": "%(message)s"}},
        "handlers": {"stderr": {**handler, "formatter": "plain"}},
        "loggers": {
            "uvicorn": {"handlers": ["stderr"], "level": level, "propagate": False},
            "uvicorn.error": {"level": level},
            "uvicorn.access": {"handlers": ["stderr"], "level": level, "propagate": False},
        },
    }


def listen(host: str, port: int) -> socket.socket:
    """A socket bound to ``host:port`` (port 0: any free one).  Raises: EmbtoolError."""
    try:
        info = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    except socket.gaierror as exc:
        raise EmbtoolError(f"--host {host!r}: not an address of this machine ({exc})") from None
    # proto=IPPROTO_TCP, not 0: asyncio only sets TCP_NODELAY on connections of a TCP-proto
    # socket, and without it every keep-alive response waits ~40 ms for a delayed ACK
    sock = socket.socket(info[0], socket.SOCK_STREAM, info[2] or socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(info[4])
    except OSError as exc:
        sock.close()
        why = "already in use" if exc.errno == errno.EADDRINUSE else exc.strerror
        raise EmbtoolError(
            f"cannot listen on {host}:{port}: {why} (choose another with --port)"
        ) from None
    sock.listen(128)
    return sock


@app.command("serve")
@vector_options
def serve_command(
    port: Annotated[
        int,
        typer.Option("--port", "-p", min=0, max=65535, help="Port to listen on (0: any free one)."),
    ] = 8000,
    host: Annotated[
        str,
        typer.Option(
            "--host",
            help="Address to listen on. Only this machine by default; another address lets "
            "anyone who can reach it query the vectors (read-only), with a warning.",
        ),
    ] = "127.0.0.1",
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Log every request on stderr.")
    ] = False,
    *,
    source: VectorSource,
) -> None:
    """Explore the vectors in a web browser: search with completion, neighbours, analogies, and a
    2-D map (PCA or t-SNE) of up to 100,000 words. Everything is served from this machine (no
    network needed); the page's API answers in the same JSON as the commands.

    Example: [bold]embtool serve[/bold], then open http://127.0.0.1:8000/ (Ctrl-C stops it).
    Needs the serve extra: pip install 'embtool[serve]'.
    """
    try:
        import uvicorn

        from embtool.explorer.app import create_app
    except ImportError as exc:
        raise EmbtoolError(
            f"embtool serve needs the serve extra ({exc.name} is missing): "
            "pip install 'embtool[serve]'"
        ) from None
    local = host in LOCAL
    if not local:
        warn(
            f"listening on {host}, not only on this machine: anyone who can reach it on port "
            f"{port} can query these vectors (read-only). Leave out --host to stay local"
        )
    sock = listen(host, port)
    store = source.open()
    store.index  # noqa: B018 - build the word index now, not in the first request
    application = create_app(store, allowed_hosts=[*LOCAL, "[::1]"] if local else None)
    bound = sock.getsockname()[1]
    shown = f"[{host}]" if ":" in host else host
    err.print(
        f"serving {store.name} ({len(store):,} words x {store.dim}) at http://{shown}:{bound}/ "
        "(Ctrl-C stops)",
        markup=False,
    )
    config = uvicorn.Config(
        application, log_config=log_config(verbose), access_log=verbose, lifespan="on"
    )
    uvicorn.Server(config).run(sockets=[sock])
