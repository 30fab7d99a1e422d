"""`lms-plugin demo` checks its ports before it starts: taken is refused, just stopped is not."""

from __future__ import annotations

import socket

import click
import pytest

from lms_plugin.cli.ports import require_free


def _listener() -> socket.socket:
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as gunicorn binds
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    return listener


def test_a_port_something_listens_on_is_refused_with_what_to_do():
    with _listener() as listener:
        port = listener.getsockname()[1]
        with pytest.raises(click.ClickException, match=f"port {port} .* is in use: .*--port N"):
            require_free("127.0.0.1", port, "choose another with --port N")


def test_a_port_just_stopped_is_free_though_its_connections_wait_in_time_wait():
    with _listener() as listener:
        port = listener.getsockname()[1]
        with socket.create_connection(("127.0.0.1", port)) as client:
            served, _ = listener.accept()
            served.close()  # the server closes first, as gunicorn does: its side waits
            client.recv(1)
    # The demo stopped: nothing listens, one connection of the port in TIME_WAIT.
    require_free("127.0.0.1", port, "choose another with --port N")
