"""/api/v1 against its own OpenAPI document (issue 12, finding 7): schemathesis loads
/api/v1/openapi.json from the running tool over real HTTP, generates requests for every
operation from it (valid ones and, in negative mode, ones that break the schema), and checks
each response, as a launched learner and as nobody. The learner's browser sends the launch
token as a bearer token and keeps the launch cookie: where negative mode leaves the token out,
the cookie authorises reads and changes need the CSRF token (403), as the document says.

Schemathesis's pytest loader for fixtures (``from_fixture``) does not run under pytest 9 (it
reads a node attribute pytest 9 removed), so each operation's Hypothesis strategy is driven
here directly: the same generation and checks, one operation at a time.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from tests.support.content_keys import L1M1
from tests.support.learners import api_launch

pytestmark = pytest.mark.integration

BOUNDED = settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
# Schemathesis's default rejections, plus 413: a text over its documented maxLength is "too
# large" (it says the saved draft is kept), as the document declares.
CONFIG = schemathesis.Config.from_dict(
    {
        "checks": {
            "negative_data_rejection": {
                "expected-statuses": [400, 401, 403, 404, 405, 406, 409, 413, 415, 422, 428, 429]
            }
        }
    }
)
CONFORMANCE = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,  # what breaks the schema is refused (4xx), not taken
]


def exercise(
    url: str, call: Callable[[schemathesis.Case], None], real: dict[str, object] | None = None
) -> list[str]:
    """Run ``call`` on generated cases of every operation, in both modes, with generated path
    parameters and (given ``real``) with real ones, so requests reach past the 404; the
    failures."""
    schema = schemathesis.openapi.from_url(url, config=CONFIG)
    failures: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 11, [op.label for op in operations]
    for operation in operations:
        names = {p.name for p in operation.path_parameters}
        variants = [None]
        if real and names:
            variants.append({name: real[name] for name in names})
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            for path_parameters in variants:
                if mode is GenerationMode.NEGATIVE and path_parameters and not operation.body:
                    continue  # nothing left to break

                @BOUNDED
                @given(
                    case=operation.as_strategy(
                        generation_mode=mode, path_parameters=path_parameters
                    )
                )
                def run(case: schemathesis.Case) -> None:
                    call(case)

                try:
                    run()
                except Exception as failure:  # every operation runs; all failures are reported
                    where = f"{operation.label} ({mode.value}, {path_parameters})"
                    failures.append(f"{where}: {str(failure)[:3000]}")  # bodies can be huge
    return failures


def test_every_operation_as_a_learner_conforms_and_never_fails(tool, platform):
    learner = api_launch(tool, platform, user="schema-learner")
    bearer = {"Authorization": learner.headers["Authorization"]}
    attempt = learner.post(tool.url + f"/api/v1/modules/{L1M1}/attempts")
    assert attempt.status_code == 201, attempt.text
    real = {"slug": L1M1, "attempt_id": attempt.json()["id"]}

    def call(case: schemathesis.Case) -> None:
        case.call_and_validate(session=learner, headers=bearer, checks=CONFORMANCE)

    failures = exercise(tool.url + "/api/v1/openapi.json", call, real)
    assert not failures, "\n\n".join(failures)


def test_every_operation_as_nobody_is_401(tool):
    def call(case: schemathesis.Case) -> None:
        with requests.Session() as nobody:
            response = case.call_and_validate(session=nobody, checks=[not_a_server_error])
        # Every route answers 401. Two refusals come before any launch is looked for, and only
        # negative mode meets them: a path no route matches (an id of -1) is a 404, a body over
        # the route's size limit a 413.
        negative = case.meta is not None and case.meta.generation.mode is GenerationMode.NEGATIVE
        assert response.status_code in ((401, 404, 413) if negative else (401,)), response.text

    failures = exercise(tool.url + "/api/v1/openapi.json", call)
    assert not failures, "\n\n".join(failures)
