from __future__ import annotations

from django.test import Client

EXPECTED = {
    "/api/me": {"get"},
    "/api/teams": {"get"},
    "/api/categories": {"get"},
    "/api/agents": {"get"},
    "/api/tickets": {"get", "post"},
    "/api/tickets/bulk": {"post"},
    "/api/tickets/{ticket_id}": {"get", "patch"},
    "/api/tickets/{ticket_id}/timeline": {"get"},
    "/api/tickets/{ticket_id}/replies": {"post"},
    "/api/tickets/{ticket_id}/notes": {"post"},
    "/api/tickets/{ticket_id}/sop": {"get"},
    "/api/tickets/{ticket_id}/sop/steps/{step_id}/complete": {"post"},
    "/api/tickets/{ticket_id}/sop/steps/{step_id}/waive": {"post"},
    "/api/tickets/{ticket_id}/sop/switch": {"post"},
    "/api/tickets/{ticket_id}/sop/special-policy": {"post"},
    "/api/tickets/{ticket_id}/sla": {"get"},
    "/api/tickets/{ticket_id}/escalations": {"post"},
    "/api/unanswered": {"get"},
    "/api/tickets/{ticket_id}/feedback": {"get"},
    "/api/follow-ups": {"get"},
    "/api/follow-ups/{follow_up_id}/result": {"post"},
    "/api/surveys/comments": {"get"},
    "/api/sops": {"get", "post"},
    "/api/sops/validate": {"post"},
    "/api/sops/{key}": {"get"},
    "/api/customers": {"get", "post"},
    "/api/customers/{customer_id}": {"get", "patch"},
    "/api/customers/{customer_id}/identities": {"post"},
    "/api/customers/{customer_id}/merge": {"post"},
    "/api/customers/{customer_id}/tickets": {"get"},
    "/api/metrics": {"get"},
    "/api/metrics/definitions": {"get"},
    "/api/metrics/tickets": {"get"},
    "/api/presence": {"get"},
    "/api/agents/{user_id}/presence": {"put"},
    "/api/queue": {"get"},
    "/api/attachments/{key}": {"get"},
    "/api/audit": {"get"},
}
# Endpoints that answer with a file rather than a JSON body.
FILES = {"/api/attachments/{key}"}


def test_every_endpoint_is_documented_with_its_responses(db: None) -> None:
    response = Client().get("/api/openapi.json")

    assert response.status_code == 200
    schema = response.json()
    assert schema["info"]["title"] == "Sigap API"
    assert {path: set(operations) for path, operations in schema["paths"].items()} == EXPECTED
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            success = [code for code in responses if code.startswith("2")]
            assert success, f"{method} {path} documents no success response"
            body = "application/octet-stream" if path in FILES else "application/json"
            assert body in responses[success[0]]["content"], (method, path)
            assert "application/problem+json" in responses["401"]["content"], (method, path)
            assert operation["security"] == [{"BearerToken": []}], (method, path)


def test_the_docs_page_loads_swagger_from_our_own_server(db: None) -> None:
    client = Client()

    page = client.get("/api/docs")
    script = client.get("/api/docs/assets/swagger-ui-bundle.js")

    assert page.status_code == 200
    assert b'src="/api/docs/assets/swagger-ui-bundle.js"' in page.content
    assert b"cdn" not in page.content.lower()
    assert script.status_code == 200
