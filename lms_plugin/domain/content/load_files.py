"""Reading files under courses/ for the loader: text and YAML into :class:`Fields`, collecting
every ``file:line`` problem and the :class:`Source` of every model object built from them.

The base of the loader's readers: :mod:`.load_items` builds the item types on top of it and
:mod:`.loader` walks the tree.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from .yamlsource import Fields, Problem, Source, parse_yaml

T = TypeVar("T")


class FileReader:
    """Files and folders under ``root`` (courses/), its problems and the sources kept so far."""

    def __init__(self, root: Path) -> None:
        self.root, self.base = root, root.parent
        self.problems: list[Problem] = []
        self.sources: dict[int, tuple[object, Source]] = {}

    def rel(self, path: Path) -> str:
        return path.relative_to(self.base).as_posix()

    def error(self, path: str, line: int, message: str) -> None:
        self.problems.append(Problem(path, line, message))

    def keep(self, obj: T, source: Source) -> T:
        self.sources[id(obj)] = (obj, source)
        return obj

    def text(self, path: Path, named_at: Fields | None, key: str = "") -> str | None:
        """The file's text, or None once reported (at ``key`` of ``named_at``, or the file)."""
        try:
            return path.read_text(encoding="utf-8")
        except FileNotFoundError:
            why = "file not found"
        except UnicodeDecodeError as exc:
            why = f"not UTF-8 text ({exc.reason} at byte {exc.start})"
        except OSError as exc:
            why = f"cannot read: {exc.strerror or exc}"
        if named_at is None:
            self.error(self.rel(path), 1, why)
        else:
            named_at.error(key, f"{why}: {self.rel(path)}")
        return None

    def parse(self, path: Path, named_at: Fields | None, key: str = "") -> Any:
        text = self.text(path, named_at, key)
        if text is None:
            return None
        data, errors = parse_yaml(text)
        for line, message in errors:
            self.error(self.rel(path), line, message)
        if data is None and not errors:
            self.error(self.rel(path), 1, "file is empty")
        return data

    def fields(self, path: Path, named_at: Fields | None, key: str = "") -> Fields | None:
        data = self.parse(path, named_at, key)
        return None if data is None else Fields(self, self.rel(path), data, 1)

    def each(self, outer: Fields, key: str, read: Callable[[Fields], T | None]) -> tuple[T, ...]:
        out = (read(entry) for entry in outer.entries(key))
        return tuple(x for x in out if x is not None)

    def inside(self, folder: Path, f: Fields, key: str) -> Path | None:
        """``folder / f[key]`` when that names a path inside ``folder``."""
        name = f.text(key)
        if name and (folder / name).resolve().is_relative_to(folder.resolve()):
            return folder / name
        if name:
            f.error(key, f"'{key}' must name a path inside {self.rel(folder)}")
        return None
