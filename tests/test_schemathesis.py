"""Fuzz Amtsbote's own HTTP API against its OpenAPI description (schemathesis).

Every operation of /openapi.json gets generated requests over real HTTP: no 5xx,
status codes, content types and response bodies as documented.
"""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from bot.openapi import SPEC

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def test_every_endpoint_conforms_to_its_description_and_never_gives_a_5xx(live):
    schema = schemathesis.openapi.from_dict(SPEC)
    tested = []
    for result in schema.get_all_operations():
        operation = result.ok()

        @settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        @given(case=operation.as_strategy())
        def run(case):
            case.call_and_validate(base_url=live.url, checks=CHECKS)

        run()
        tested.append(f"{operation.method.upper()} {operation.path}")
    assert len(tested) == 6, tested


def test_openapi_is_served(live):
    import httpx

    served = httpx.get(live.url + "/openapi.json").json()
    assert set(served["paths"]) == set(SPEC["paths"])
