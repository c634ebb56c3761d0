"""Serving the simulator: in-process through httpx, or over real HTTP on a threaded stdlib server."""

from __future__ import annotations

import socketserver
import threading
from types import TracebackType
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer

import httpx

from services.simulator.app import Simulator


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


class _ThreadingServer(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def server_bind(self) -> None:
        # HTTPServer.server_bind calls socket.getfqdn(), which can stall on a DNS lookup.
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name, self.server_port = str(host), int(port)
        self.setup_environ()


class RunningSimulator:
    """A simulator served on 127.0.0.1 in a background thread; close() (or `with`) stops it."""

    def __init__(self, simulator: Simulator, server: WSGIServer, thread: threading.Thread) -> None:
        self.simulator = simulator
        self.url = f"http://{server.server_name}:{server.server_port}"
        self._server = server
        self._thread = thread

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> RunningSimulator:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()


def serve(simulator: Simulator, host: str = "127.0.0.1", port: int = 0) -> RunningSimulator:
    """Serve over HTTP (port 0: any free port; see `.url`)."""
    server = _ThreadingServer((host, port), _QuietHandler)
    server.set_app(simulator)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    return RunningSimulator(simulator, server, thread)


def in_process_transport(simulator: Simulator) -> httpx.BaseTransport:
    """An httpx transport that calls the simulator directly, without a socket."""
    return httpx.WSGITransport(app=simulator)
