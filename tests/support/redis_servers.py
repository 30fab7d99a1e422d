"""Private ``redis-server`` processes on free loopback ports: a password-protected Redis, and a
Sentinel that names it. Each is started by the test that needs it and stopped by its PID."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import redis

from tests.support.processes import free_port


@contextmanager
def redis_server(
    folder: Path, password: str | None = None, port: int | None = None
) -> Iterator[int]:
    """A ``redis-server`` without persistence on ``port`` of 127.0.0.1, else a free one (behind
    ``password`` when given); yields the port."""
    port = port or free_port()
    config = folder / f"redis-{port}.conf"
    config.write_text(
        f'port {port}\nbind 127.0.0.1\nsave ""\nappendonly no\ndir {folder}\n'
        + (f"requirepass {password}\n" if password else "")
    )
    with _running(["redis-server", str(config)], folder / f"redis-{port}.log"):
        client = redis.Redis(port=port, password=password)
        _wait_until(client.ping)
        client.close()
        yield port


@contextmanager
def sentinel(folder: Path, master_port: int, service: str, password: str) -> Iterator[int]:
    """A Sentinel watching the Redis on ``master_port`` as ``service``, both behind
    ``password``; yields the Sentinel's port."""
    port = free_port()
    config = folder / f"sentinel-{port}.conf"  # Sentinel rewrites its config: a file of its own
    config.write_text(
        f"port {port}\nbind 127.0.0.1\ndir {folder}\nrequirepass {password}\n"
        f"sentinel monitor {service} 127.0.0.1 {master_port} 1\n"
        f"sentinel auth-pass {service} {password}\n"
    )
    with _running(["redis-server", str(config), "--sentinel"], folder / f"sentinel-{port}.log"):
        client = redis.Redis(port=port, password=password, decode_responses=True)
        _wait_until(lambda: client.sentinel_get_master_addr_by_name(service) is not None)
        client.close()
        yield port


@contextmanager
def _running(args: list[str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    with log.open("wb") as out:
        proc = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT)
        try:
            yield proc
        finally:
            proc.terminate()  # by its PID: only the process this test started
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def _wait_until(ready: Callable[[], object], timeout: float = 10) -> None:
    """Poll ``ready()`` until it answers truthy without a connection error (server booting)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            if ready():
                return
        except redis.ConnectionError:
            pass
        if time.monotonic() > deadline:
            raise TimeoutError("redis-server did not come up")
        time.sleep(0.05)
