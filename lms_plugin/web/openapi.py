"""The routes of /api/v1 with their schemas: each route is declared once (method, path, body
model, response model, statuses), and the declaration both registers the Flask view, validates
its JSON body, and feeds the OpenAPI 3.1 document served at /api/v1/openapi.json.

Bodies are parsed and validated by pydantic from the raw bytes (its Rust JSON parser caps
nesting, so ``[[[[...]]]]`` is a 400, never a RecursionError; it also refuses invalid UTF-8
and lone surrogates, which no database column could store).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from flask import Blueprint, Response, jsonify, request
from flask.typing import ResponseReturnValue
from pydantic import BaseModel, ValidationError

from lms_plugin.db.base import MAX_ID
from lms_plugin.domain.errors import InvalidInputError
from lms_plugin.domain.i18n import N_
from lms_plugin.web import errors, launch_session
from lms_plugin.web.schemas import Body, ErrorOut, json_schema_of

B = TypeVar("B", bound=Body)
View = Callable[..., ResponseReturnValue]

_FIELDS_SHOWN = 10
_PLACEHOLDER = re.compile(r"<(?:(\w+):)?(\w+)>")  # over our own route strings only
ERROR_STATUSES: dict[int, str] = {
    400: "The body is not JSON or does not fit the schema (`fields` says where), or an answer "
    "does not fit its item (`invalid_answer`; `detail` names the item).",
    401: "No launch: open the activity from the course; send its launch token as a bearer token.",
    403: "Not allowed: content still locked (`missing` says what is left), a launch without a "
    "course, or a cookie-authorised change without its CSRF token.",
    404: "No such module or attempt for this learner.",
    409: "Not now: the attempt limit, a cooldown, or already submitted.",
    413: "The body or the text is over its limit.",
    422: "Well-formed but not acceptable: unknown item ids, over the word limit, an empty "
    "submission, a character that cannot be saved.",
}


class BodyError(InvalidInputError):
    """A request body that is not JSON (``invalid_json``) or does not fit its model."""

    def __init__(self, model: type[Body], error: ValidationError) -> None:
        problems = error.errors(include_url=False, include_input=False, include_context=False)
        self.fields = [
            {
                # a location may hold an item id the learner made up: cut it short
                "field": ".".join(str(part) for part in p["loc"])[:200] or "(body)",
                "message": p["msg"],
            }
            for p in problems[:_FIELDS_SHOWN]
        ]
        if any(p["type"] == "json_invalid" for p in problems):
            self.fields = []
            super().__init__(
                "The body is not valid JSON (or is nested too deeply).", code="invalid_json"
            )
        else:
            first = self.fields[0]
            super().__init__(
                f"The request body does not fit: {first['field']}: {first['message']}.",
                code=model.error_code,
            )


def read_body(model: type[B]) -> B:
    """The request's JSON body as ``model``; BodyError (400) when it is not one."""
    if not request.is_json:
        raise InvalidInputError(
            N_("Send a JSON object (Content-Type: application/json)."), code="invalid_json"
        )
    try:
        return model.model_validate_json(request.get_data())
    except ValidationError as error:
        raise BodyError(model, error) from None


def _body_error(error: BodyError) -> ResponseReturnValue:
    """The app's usual error response (web/errors.py), plus the fields that did not fit."""
    response, status = errors.handle_lms_error(error)
    if error.fields and isinstance(response, Response) and response.is_json:
        return jsonify({**response.get_json(), "fields": error.fields}), status
    return response, status


def _with_body(view: View, model: type[Body]) -> View:
    @functools.wraps(view)
    def with_body(**kwargs: Any) -> ResponseReturnValue:
        return view(read_body(model), **kwargs)

    return with_body


@dataclass(frozen=True)
class Operation:
    method: str
    rule: str  # the Flask rule under the blueprint's prefix
    endpoint: str
    summary: str
    response: type[BaseModel]
    status: int
    body: type[Body] | None
    errors: tuple[int, ...]


class ApiRoutes:
    """Declares a blueprint's routes with their schemas and builds the OpenAPI document."""

    def __init__(self, bp: Blueprint, *, title: str, version: str, description: str) -> None:
        self.bp = bp
        self.info = {"title": title, "version": version, "description": description}
        self.operations: list[Operation] = []
        self._document: dict[str, Any] | None = None
        bp.register_error_handler(BodyError, _body_error)

    def route(
        self,
        method: str,
        rule: str,
        *,
        summary: str,
        response: type[BaseModel],
        status: int = 200,
        body: type[Body] | None = None,
        errors: tuple[int, ...] = (),
    ) -> Callable[[View], View]:
        """Register ``view`` for ``method rule``; with ``body``, it gets the validated body
        as its first argument."""

        def decorate(view: View) -> View:
            self.operations.append(
                Operation(method, rule, view.__name__, summary, response, status, body, errors)
            )
            target = view if body is None else _with_body(view, body)
            self.bp.add_url_rule(rule, view.__name__, target, methods=[method])
            return view

        return decorate

    def document(self) -> dict[str, Any]:
        """The OpenAPI 3.1 document of every declared route (built once)."""
        if self._document is None:
            self._document = _Builder(self.operations).build(self.info, self.bp.url_prefix or "/")
        return self._document


class _Builder:
    def __init__(self, operations: list[Operation]) -> None:
        self.operations = operations
        self.schemas: dict[str, Any] = {}

    def build(self, info: dict[str, str], base: str) -> dict[str, Any]:
        paths: dict[str, dict[str, Any]] = {}
        for op in self.operations:
            path, parameters = _path(op.rule)
            paths.setdefault(path, {})[op.method.lower()] = self._operation(op, parameters)
        return {
            "openapi": "3.1.0",
            "info": info,
            "servers": [{"url": base}],
            "paths": paths,
            "components": {
                "schemas": dict(sorted(self.schemas.items())),
                "securitySchemes": {
                    "launchToken": {
                        "type": "http",
                        "scheme": "bearer",
                        "description": "The launch token the tool's pages get after an LTI "
                        "launch (valid for the launch session).",
                    },
                    "launchCookie": {
                        "type": "apiKey",
                        "in": "cookie",
                        "name": launch_session.COOKIE,
                        "description": "The cookie set at launch, as the tool's own pages use "
                        "it; changes must also send the page's CSRF token as X-CSRF-Token.",
                    },
                },
            },
            "security": [{"launchToken": []}, {"launchCookie": []}],
        }

    def _operation(self, op: Operation, parameters: list[dict[str, Any]]) -> dict[str, Any]:
        statuses = {401, *op.errors}
        if op.method != "GET":
            statuses.add(403)  # a cookie-authorised change without its CSRF token
        if op.body is not None:
            statuses.update((400, 413))
        responses = {str(op.status): self._content(op.response, op.response.__doc__ or "OK")}
        for status in sorted(statuses):
            responses[str(status)] = self._content(ErrorOut, ERROR_STATUSES[status])
        entry: dict[str, Any] = {
            "operationId": op.endpoint,
            "summary": op.summary,
            "responses": responses,
        }
        if parameters:
            entry["parameters"] = parameters
        if op.body is not None:
            entry["requestBody"] = {
                "required": True,
                "content": {"application/json": {"schema": self._ref(op.body)}},
            }
        return entry

    def _content(self, model: type[BaseModel], description: str) -> dict[str, Any]:
        return {
            "description": " ".join(description.split()),
            "content": {"application/json": {"schema": self._ref(model)}},
        }

    def _ref(self, model: type[BaseModel]) -> dict[str, str]:
        if model.__name__ not in self.schemas:
            schema = json_schema_of(model)
            self.schemas.update(schema.pop("$defs", {}))
            self.schemas[model.__name__] = schema
        return {"$ref": f"#/components/schemas/{model.__name__}"}


def _path(rule: str) -> tuple[str, list[dict[str, Any]]]:
    """``/attempts/<int:attempt_id>`` -> ``/attempts/{attempt_id}`` and its parameters."""
    parameters = [
        {
            "name": name,
            "in": "path",
            "required": True,
            # <int:...> is a database id (web/app.py's converter); other values are slugs.
            "schema": {"type": "integer", "minimum": 0, "maximum": MAX_ID}
            if converter == "int"
            else {"type": "string", "pattern": "^[a-z0-9]+(-[a-z0-9]+)*$", "maxLength": 200},
        }
        for converter, name in _PLACEHOLDER.findall(rule)
    ]
    return _PLACEHOLDER.sub(r"{\2}", rule), parameters
