"""The embedded broker: kombu's file-system transport, with every message whole before it is seen.

kombu's own channel (5.x) creates a message file under its final name and only then locks and
writes it, while a consumer moves and reads files without that lock. A worker that lists the
folder in between reads an empty message and stops on a JSONDecodeError (kombu issue #1551);
the message is gone with it. Here a message is written in `writing/` and renamed into the queue
folder when complete (a rename within one file system is atomic), and a consumer claims a
message by renaming it into `processed/`, so exactly one consumer reads each whole file. A file
that still cannot be read as a message is left in `processed/` and logged, not fatal. A draft
left in `writing/` by a process that died mid-write was never sent (its sender got an error or
never returned); a channel, on its first write, removes drafts older than an hour.

The message names, folders and options are kombu's, so `_size`, `_purge` and the queue-depth
metric read the folder as before. Celery picks this transport with `broker_transport`.
"""

from __future__ import annotations

import logging
import os
import time
import uuid
from functools import cached_property
from queue import Empty
from time import monotonic
from typing import Any

from kombu.exceptions import ChannelError
from kombu.transport import filesystem
from kombu.utils.json import dumps, loads

log = logging.getLogger(__name__)

WRITING = "writing"
DRAFT_MAX_AGE = 3600.0  # seconds; writing a message takes milliseconds


class Channel(filesystem.Channel):
    @cached_property
    def writing_folder(self) -> str:
        folder = os.path.join(self.data_folder_out, WRITING)
        os.makedirs(folder, exist_ok=True)
        _sweep_drafts(folder, time.time() - DRAFT_MAX_AGE)
        return folder

    @cached_property
    def claim_folder(self) -> str:
        os.makedirs(self.processed_folder, exist_ok=True)
        return str(self.processed_folder)

    # kombu names the message `payload` here and `message` in the channel base; it passes it by
    # position.
    def _put(self, queue: str, payload: Any, **kwargs: Any) -> None:  # type: ignore[override]
        name = f"{round(monotonic() * 1000)}_{uuid.uuid4()}.{queue}.msg"  # kombu's naming
        draft = os.path.join(self.writing_folder, name)
        try:
            with open(draft, "wb") as f:
                f.write(dumps(payload).encode())  # type: ignore[no-untyped-call]
            os.replace(draft, os.path.join(self.data_folder_out, name))
        except OSError as exc:
            raise ChannelError(f"Cannot add message {name!r} to the broker folder") from exc

    def _get(self, queue: str, timeout: float | None = None) -> Any:
        wanted = f"{queue}.msg"
        for name in sorted(os.listdir(self.data_folder_in)):
            if name.partition(".")[2] != wanted:
                continue
            claimed = os.path.join(self.claim_folder, name)
            try:
                os.rename(os.path.join(self.data_folder_in, name), claimed)
            except FileNotFoundError:
                continue  # another consumer claimed it first
            try:
                with open(claimed, "rb") as f:
                    body = f.read()
                message = loads(body)  # type: ignore[no-untyped-call]
            except (OSError, ValueError) as exc:
                log.error("broker message %s not readable (%s): left in %s", name, exc, claimed)
                continue
            if not self.store_processed:
                os.remove(claimed)
            return message
        raise Empty()


def _sweep_drafts(folder: str, older_than: float) -> None:
    """Remove the drafts a writer that died mid-write left behind."""
    for entry in os.scandir(folder):
        try:
            if entry.stat().st_mtime < older_than:
                os.remove(entry.path)
                log.warning("broker draft %s left by a stopped writer: removed", entry.name)
        except FileNotFoundError:
            continue  # another process swept it first


class Transport(filesystem.Transport):
    Channel = Channel

    @property
    def default_connection_params(self) -> dict[str, Any]:
        # Messages are files: no host. kombu's virtual transports default to "localhost" and
        # warn at every connection that a URL without one falls back to it.
        return {"port": None}
