"""Whose cells a cohort statement computes: the course and, for a limited scope, some of its
learners, as bound parameters, and the modules shown."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Integer, bindparam

from lms_plugin.domain.cohort import ModuleRule

# The course (its context row id) and, for a limited scope, the learners' ids are parameters:
# one statement object serves every course, so SQLAlchemy compiles it once per process.
COURSE = bindparam("course", type_=Integer)
USERS = bindparam("users", type_=Integer, expanding=True)


@dataclass(frozen=True)
class Scope:
    """Whose cells: the :data:`COURSE`'s learners (only the :data:`USERS`, when ``some``) in
    the shown modules (``shown``, in column order)."""

    shown: tuple[ModuleRule, ...]
    some: bool = False
