"""Is a port free to serve on? Asked before ``run`` and ``demo`` start anything, so a port in
use is one line saying what to do, not gunicorn's retries and a child that exits."""

from __future__ import annotations

import socket

import click


def require_free(host: str, port: int, what_to_do: str) -> None:
    """Refuse a port something listens on. A port just stopped using is free: its closed
    connections wait in TIME_WAIT, which the servers' own SO_REUSEADDR binds over (a probe
    without it would say "in use" for a minute after every stop)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            shown = f"[{host}]" if ":" in host else host or "every address"
            raise click.ClickException(f"port {port} on {shown} is in use: {what_to_do}") from None
