"""What every command needs: the Flask app context, its DB session, where content lives."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import click
from flask import Flask

from lms_plugin.paths import PROJECT_ROOT
from lms_plugin.settings import load_settings

if TYPE_CHECKING:
    from lms_plugin.db.schema_version import SchemaState

COURSES_DIR = PROJECT_ROOT / "courses"


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def cli() -> None:
    """ISP certificate LTI 1.3 tool."""


@contextmanager
def app_context(*, schema: bool = True) -> Iterator[Flask]:
    """The app's context. With ``schema`` (all commands but ``db``, ``run``, ``demo`` and
    ``check``), a database without this code's migrations is refused in one line that names
    ``lms-plugin db upgrade``, before the command's first query fails on a missing table."""
    from lms_plugin.web.app import create_app

    app = create_app(load_settings())
    with app.app_context():
        if schema:
            database_schema().require_current()
        yield app


def database_schema() -> SchemaState:
    """The app's database against this code's migrations (within ``app_context``)."""
    from lms_plugin.db import db
    from lms_plugin.db.schema_version import schema_state

    with db.engine.connect() as connection:
        return schema_state(connection)


def session() -> Any:
    from lms_plugin.db import db

    return db.session


def tenants() -> Any:
    """The app's tenant directory: platform changes retire its cached snapshots."""
    from lms_plugin.web import deps

    return deps.tenants()


def deployment_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The three options that name a deployment as the LMS names it (``deployments activate``,
    ``deployments disable``, ``theme set``...)."""
    for option in reversed(
        [
            click.option("--issuer", required=True, help="The platform's iss"),
            click.option("--client-id", required=True),
            click.option("--deployment-id", required=True, help="As the LMS names it"),
        ]
    ):
        command = option(command)
    return command
