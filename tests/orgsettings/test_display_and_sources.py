"""Display settings (currency label, DORA vintage) and webhook source rules / status mappings
with the "test this payload" preview, on /settings/ and the API."""

import json
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied

from portfolio.models import OrgSettings, RollupDue, SettingChange, SourceRule, StatusMapping, WorkItem
from portfolio.selectors import delivery as delivery_selectors
from portfolio.services.settings import org_settings_update, source_rule_save, webhook_payload_preview
from tests.factories import ValueStreamFactory

NON_DIRECTORS = ["vsm", "executive", "program_manager"]
FIXTURES = Path(__file__).parent.parent / "portfolio" / "fixtures" / "webhooks"

pytestmark = pytest.mark.django_db


def fixture_text(name: str) -> str:
    return (FIXTURES / name).read_text()


# --- display settings ----------------------------------------------------------------------------


def test_a_director_sets_the_currency_label_and_pages_show_it(client, director, settings):
    settings.CURRENCY = "EUR"
    client.force_login(director)
    response = client.post("/settings/display/", {"currency_display": "€", "dora_benchmark": ""})
    assert response.status_code == 302
    change = SettingChange.objects.get()
    assert (change.kind, change.changes) == ("display settings", {"currency_display": ["", "€"]})
    assert client.get("/kanban/").context["currency"] == "€"


def test_without_a_choice_pages_show_the_currency_setting(client, executive, settings):
    settings.CURRENCY = "CHF"
    client.force_login(executive)
    assert str(client.get("/kanban/").context["currency"]) == "CHF"


def test_a_director_chooses_the_dora_vintage_and_every_active_stream_is_regraded(director, settings):
    settings.DORA_BENCHMARK = "2024"
    streams = [ValueStreamFactory(), ValueStreamFactory()]
    ValueStreamFactory(active=False)
    org_settings_update(user=director, dora_benchmark="2021")
    assert {row.vintage for row in delivery_selectors.dora_benchmark()} == {"2021"}
    assert sorted(RollupDue.objects.values_list("value_stream_id", flat=True)) == sorted(vs.id for vs in streams)
    org_settings_update(user=director, dora_benchmark="")
    assert {row.vintage for row in delivery_selectors.dora_benchmark()} == {"2024"}


def test_the_benchmark_reads_the_choice_in_its_own_query(director, django_assert_num_queries):
    org_settings_update(user=director, dora_benchmark="2023")
    with django_assert_num_queries(1):
        rows = delivery_selectors.dora_benchmark()
    assert [row.level for row in rows] == ["elite", "high", "medium", "low"]


def test_an_unknown_dora_vintage_is_refused_and_changes_nothing(client, director):
    client.force_login(director)
    response = client.post("/settings/display/", {"currency_display": "", "dora_benchmark": "1999"})
    assert response.status_code == 400
    assert OrgSettings.objects.count() == 0
    api = client.patch("/api/org-settings/", {"dora_benchmark": "1999"}, content_type="application/json")
    assert api.status_code == 400
    assert api.json() == {"dora_benchmark": ["No DORA benchmark 1999 is stored."]}
    assert OrgSettings.objects.count() == 0
    assert SettingChange.objects.count() == 0


def test_the_api_reads_and_changes_the_display_settings(api_as, director, settings):
    settings.CURRENCY, settings.DORA_BENCHMARK = "EUR", "2024"
    api = api_as(director)
    assert api.get("/api/org-settings/").json() == {
        "currency": "EUR",
        "currency_display": "",
        "dora_benchmark": "",
        "default_dora_benchmark": "2024",
    }
    response = api.patch("/api/org-settings/", {"currency_display": "k€", "dora_benchmark": "2023"}, format="json")
    assert response.status_code == 200
    assert response.json()["currency_display"] == "k€"
    assert SettingChange.objects.get().changes == {"currency_display": ["", "k€"], "dora_benchmark": ["", "2023"]}


@pytest.mark.parametrize("persona", NON_DIRECTORS)
def test_non_directors_are_denied_the_display_settings_and_nothing_changes(client, api_as, request, persona):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    assert client.get("/settings/display/").status_code == 403
    assert client.post("/settings/display/", {"currency_display": "$", "dora_benchmark": "2021"}).status_code == 403
    assert api_as(user).patch("/api/org-settings/", {"currency_display": "$"}, format="json").status_code == 403
    with pytest.raises(PermissionDenied):
        org_settings_update(user=user, currency_display="$")
    assert OrgSettings.objects.count() == 0
    assert SettingChange.objects.count() == 0


# --- source rules and status mappings -----------------------------------------------------------


def test_a_director_adds_a_source_rule_and_a_status_mapping_each_audited(client, director, value_stream):
    client.force_login(director)
    rule = {"form": "rule", "source": "github", "pattern": "Codertocat/Hello-World", "value_stream": value_stream.id}
    assert client.post("/settings/sources/", rule).status_code == 302
    mapping = {"form": "mapping", "source": "jira", "tool_status": "Paused", "flow_status": "waiting"}
    assert client.post("/settings/sources/", mapping).status_code == 302
    assert list(SourceRule.objects.values_list("source", "pattern", "value_stream_id")) == [
        ("github", "Codertocat/Hello-World", value_stream.id)
    ]
    assert list(StatusMapping.objects.values_list("source", "tool_status", "flow_status")) == [
        ("jira", "Paused", "waiting")
    ]
    kinds = list(SettingChange.objects.order_by("id").values_list("kind", "action"))
    assert kinds == [("source rule", "create"), ("status mapping", "create")]


def test_a_director_edits_and_removes_a_status_mapping_each_audited(client, director):
    mapping = StatusMapping.objects.create(source="jira", tool_status="Paused", flow_status="waiting")
    client.force_login(director)
    url = f"/settings/sources/mappings/{mapping.id}/"
    assert client.post(url, {"source": "jira", "tool_status": "Paused", "flow_status": "active"}).status_code == 302
    assert client.post(url, {"delete": "1"}).status_code == 302
    assert StatusMapping.objects.count() == 0
    rows = list(SettingChange.objects.order_by("id").values_list("action", "changes"))
    assert rows == [
        ("update", {"flow_status": ["waiting", "active"]}),
        ("delete", {"source": ["jira", None], "tool_status": ["Paused", None], "flow_status": ["active", None]}),
    ]


@pytest.mark.parametrize("persona", NON_DIRECTORS)
def test_non_directors_are_denied_sources_on_pages_and_api_and_nothing_changes(
    client, api_as, request, persona, value_stream
):
    user = request.getfixturevalue(persona)
    rule = SourceRule.objects.create(source="github", pattern="acme/payments", value_stream=value_stream)
    mapping = StatusMapping.objects.create(source="jira", tool_status="Paused", flow_status="waiting")
    client.force_login(user)
    assert client.get("/settings/sources/").status_code == 403
    post = {"form": "rule", "source": "github", "pattern": "acme/other", "value_stream": value_stream.id}
    assert client.post("/settings/sources/", post).status_code == 403
    assert client.post(f"/settings/sources/rules/{rule.id}/", {"delete": "1"}).status_code == 403
    assert client.post(f"/settings/sources/mappings/{mapping.id}/", {"delete": "1"}).status_code == 403
    api = api_as(user)
    body = {"source": "github", "pattern": "acme/other", "value_stream": value_stream.id}
    assert api.post("/api/source-rules/", body, format="json").status_code == 403
    assert api.patch(f"/api/source-rules/{rule.id}/", {"pattern": "x/y"}, format="json").status_code == 403
    assert api.delete(f"/api/source-rules/{rule.id}/").status_code == 403
    assert api.delete(f"/api/status-mappings/{mapping.id}/").status_code == 403
    preview = {"source": "github", "event": "issues", "payload": {}}
    assert api.post("/api/webhooks/preview/", preview, format="json").status_code == 403
    assert api.get("/api/setting-changes/").status_code == 403
    with pytest.raises(PermissionDenied):
        source_rule_save(user=user, source="github", pattern="acme/x", value_stream=value_stream)
    assert list(SourceRule.objects.values_list("pattern", flat=True)) == ["acme/payments"]
    assert list(StatusMapping.objects.values_list("flow_status", flat=True)) == ["waiting"]
    assert SettingChange.objects.count() == 0


def test_the_api_manages_source_rules_and_status_mappings_and_lists_the_audit(api_as, director, value_stream):
    api = api_as(director)
    body = {"source": "jira", "pattern": "JRA", "value_stream": value_stream.id, "reports_incidents": False}
    created = api.post("/api/source-rules/", body, format="json")
    assert created.status_code == 201
    assert created.json() == {**body, "id": created.json()["id"], "replayed": 0}
    clash = api.post("/api/source-rules/", {**body, "pattern": "jra"}, format="json")
    assert clash.status_code == 400
    mapping = api.post("/api/status-mappings/", {"source": "jira", "tool_status": "Paused", "flow_status": "waiting"})
    assert mapping.status_code == 201
    assert api.delete(f"/api/status-mappings/{mapping.json()['id']}/").status_code == 204
    log = api.get("/api/setting-changes/").json()["results"]
    assert [(row["kind"], row["action"], row["by"]) for row in log] == [
        ("status mapping", "delete", director.username),
        ("status mapping", "create", director.username),
        ("source rule", "create", director.username),
    ]


# --- "test this payload" ---------------------------------------------------------------------------


def test_the_preview_maps_a_real_github_payload_to_its_stream_and_writes_nothing(client, director, value_stream):
    SourceRule.objects.create(source="github", pattern="codertocat/hello-world", value_stream=value_stream)
    client.force_login(director)
    post = {
        "form": "preview",
        "source": "github",
        "event": "issues",
        "payload": fixture_text("github_issues_opened.json"),
    }
    response = client.post("/settings/sources/", post)
    assert response.status_code == 200
    preview = response.context["preview"]
    assert (preview.outcome, preview.location, preview.value_stream) == ("maps", "codertocat/hello-world", value_stream)
    assert preview.work_items == [
        {
            "external_id": "codertocat/hello-world#1",
            "title": "Spelling error in the README file",
            "item_type": "defect",
            "status": "new",
        }
    ]
    assert b'id="preview-value-stream">Payments<' in response.content
    assert WorkItem.objects.count() == 0
    assert SettingChange.objects.count() == 0


def test_the_preview_applies_the_status_mappings_to_a_real_jira_payload(api_as, director, value_stream):
    SourceRule.objects.create(source="jira", pattern="JRA", value_stream=value_stream)
    StatusMapping.objects.create(source="jira", tool_status="paused", flow_status="waiting")
    payload = json.loads(fixture_text("jira_issue_updated.json"))
    body = {"source": "jira", "event": "jira:issue_updated", "payload": payload}
    response = api_as(director).post("/api/webhooks/preview/", body, format="json")
    assert response.status_code == 200
    assert response.json() == {
        "source": "jira",
        "event": "jira:issue_updated",
        "location": "jra",
        "outcome": "maps",
        "value_stream": value_stream.id,
        "value_stream_name": "Payments",
        "work_items": [
            {
                "external_id": "JRA-20002",
                "title": "I feel the need for speed",
                "item_type": "feature",
                "status": "waiting",
            }
        ],
        "deployments": 0,
        "incidents": 0,
        "commits": 0,
    }
    assert WorkItem.objects.count() == 0


def test_a_payload_no_rule_maps_would_be_parked(director):
    payload = json.loads(fixture_text("github_issues_opened.json"))
    preview = webhook_payload_preview(user=director, source="github", event="issues", payload=payload)
    assert (preview.outcome, preview.location, preview.value_stream) == ("parked", "codertocat/hello-world", None)


def test_a_payload_the_schema_refuses_is_a_400_naming_the_field(api_as, client, director):
    payload = json.loads(fixture_text("github_issues_opened.json"))
    payload["issue"]["created_at"] = "yesterday"
    response = api_as(director).post(
        "/api/webhooks/preview/", {"source": "github", "event": "issues", "payload": payload}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()["payload"]) == ["issue.created_at"]
    client.force_login(director)
    page = client.post("/settings/sources/", {"form": "preview", "source": "github", "event": "issues", "payload": "{"})
    assert page.status_code == 400
    assert b"This is not JSON." in page.content


@pytest.mark.parametrize("count", [1, 25])
def test_the_sources_page_has_a_constant_query_count(client, director, django_assert_num_queries, count):
    for i in range(count):
        SourceRule.objects.create(source="github", pattern=f"acme/repo-{i}", value_stream=ValueStreamFactory())
        StatusMapping.objects.create(source="jira", tool_status=f"status {i}", flow_status="active")
    client.force_login(director)
    # session, user, groups (role check), rules with their streams, mappings, the rule form's
    # stream choices, the user menu's groups
    with django_assert_num_queries(7):
        assert client.get("/settings/sources/").status_code == 200
