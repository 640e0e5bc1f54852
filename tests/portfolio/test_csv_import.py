"""CSV import of delivery data: parsing, all or nothing, idempotence, command, page, permissions."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from portfolio.models import DeliveryImport, Deployment, WorkItem
from portfolio.services.csv_import import delivery_csv_import
from portfolio.services.delivery import BulkValidationError

pytestmark = pytest.mark.django_db

WORK_ITEMS = (
    "external_id,title,item_type,size,status,created_at,started_at,finished_at\n"
    "PAY-1,Refunds,defect,3,done,2026-07-01T09:00:00Z,2026-07-02T09:00:00Z,2026-07-04T09:00:00Z\n"
    "PAY-2,Payouts,feature,,active,2026-07-01,2026-07-03,\n"
)


def test_a_file_is_imported_and_reimporting_changes_nothing(value_stream):
    first = delivery_csv_import(kind="work_items", text=WORK_ITEMS, value_stream_id=value_stream.id)
    again = delivery_csv_import(kind="work_items", text=WORK_ITEMS, value_stream_id=value_stream.id)

    assert first == {"rows": 2, "created": 2, "updated": 0, "unchanged": 0}
    assert again == {"rows": 2, "created": 0, "updated": 0, "unchanged": 2}
    item = WorkItem.objects.get(external_id="PAY-2")
    assert (item.source, item.size, item.status, item.started_at.isoformat()) == (
        "csv",
        None,
        "active",
        "2026-07-03T00:00:00+00:00",
    )


def test_bad_lines_reject_the_whole_file_with_errors_per_row(value_stream):
    text = WORK_ITEMS + "PAY-3,Broken,story,x,done,yesterday,,\n"

    with pytest.raises(BulkValidationError) as raised:
        delivery_csv_import(kind="work_items", text=text, value_stream_id=value_stream.id)

    assert set(raised.value.rows) == {2}
    assert set(raised.value.rows[2]) == {"item_type", "size", "created_at", "finished_at"}
    assert WorkItem.objects.count() == 0


def test_unknown_columns_are_refused(value_stream):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="Unknown or missing columns colour"):
        delivery_csv_import(kind="deployments", text="external_id,colour\n1,red\n", value_stream_id=value_stream.id)


def test_import_command_reads_a_file(tmp_path, value_stream):
    path = tmp_path / "deploys.csv"
    path.write_text(
        "external_id,deployed_at,first_commit_at,succeeded\nd1,2026-07-01T10:00:00Z,2026-07-01T08:00:00Z,true\n"
    )

    call_command("import_delivery", "deployments", str(path), "--value-stream", "payments")

    deployment = Deployment.objects.get()
    assert (deployment.external_id, deployment.source, deployment.value_stream_id) == ("d1", "csv", value_stream.id)


def test_import_command_reports_errors_and_imports_nothing(tmp_path, value_stream):
    path = tmp_path / "deploys.csv"
    path.write_text("external_id,deployed_at\nd1,not-a-date\n")

    with pytest.raises(CommandError, match="line 2"):
        call_command("import_delivery", "deployments", str(path), "--value-stream", "payments")
    assert Deployment.objects.count() == 0


def upload(text: str, name: str = "items.csv"):
    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


def test_vsm_uploads_on_the_page_and_sees_the_result(client, vsm, value_stream):
    client.force_login(vsm)

    response = client.post(
        "/delivery/import/", {"kind": "work_items", "value_stream": value_stream.id, "file": upload(WORK_ITEMS)}
    )

    record = DeliveryImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/delivery/import/{record.id}/"
    assert WorkItem.objects.count() == 2
    partial = client.get(response["Location"], headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in partial
    assert "Imported 2 rows: 2 created, 0 updated, 0 unchanged." in partial
    assert "hx-trigger" not in partial  # finished: polling stops


def test_progress_polls_while_the_import_runs(client, vsm, value_stream, monkeypatch):
    from celery.backends.base import BaseBackend
    from django.utils import timezone

    def forbidden(*args, **kwargs):
        raise AssertionError("the result backend was touched in a request")

    monkeypatch.setattr(BaseBackend, "get_task_meta", forbidden)
    record = DeliveryImport.objects.create(
        kind="work_items", content="", uploaded_by=vsm, rows_done=1000, rows_total=4000, started_at=timezone.now()
    )
    client.force_login(vsm)

    html = client.get(f"/delivery/import/{record.id}/", headers={"HX-Request": "true"}).content.decode()

    assert '<progress value="1000" max="4000">' in html
    assert 'hx-trigger="every 1s"' in html


def test_rows_naming_another_stream_fail_the_import_and_write_nothing(client, vsm, value_stream, other_value_stream):
    client.force_login(vsm)
    text = f"value_stream,external_id,status,created_at\n{other_value_stream.id},X-1,new,2026-07-01\n"

    client.post("/delivery/import/", {"kind": "work_items", "value_stream": value_stream.id, "file": upload(text)})

    record = DeliveryImport.objects.get()
    assert record.status == "failed"
    assert "value streams you manage" in record.result["detail"]
    assert WorkItem.objects.count() == 0


def test_a_vsm_cannot_choose_another_stream_in_the_form(client, vsm, value_stream, other_value_stream):
    client.force_login(vsm)

    response = client.post(
        "/delivery/import/", {"kind": "work_items", "value_stream": other_value_stream.id, "file": upload(WORK_ITEMS)}
    )

    assert response.status_code == 200  # the form again, with its message
    assert "Select a valid choice" in response.content.decode()
    assert DeliveryImport.objects.count() == 0
    assert WorkItem.objects.count() == 0


@pytest.mark.parametrize("persona", ["executive", "program_manager"])
def test_readers_cannot_import(client, request, persona, value_stream):
    client.force_login(request.getfixturevalue(persona))

    page = client.get("/delivery/import/")
    post = client.post(
        "/delivery/import/", {"kind": "work_items", "value_stream": value_stream.id, "file": upload(WORK_ITEMS)}
    )

    assert (page.status_code, post.status_code) == (403, 403)
    assert WorkItem.objects.count() == 0


def test_someone_elses_import_is_not_shown(client, vsm, other_vsm):
    record = DeliveryImport.objects.create(kind="work_items", content="", uploaded_by=vsm)
    client.force_login(other_vsm)

    assert client.get(f"/delivery/import/{record.id}/").status_code == 403


def test_the_catch_up_runs_pending_imports_whose_message_was_lost(vsm, value_stream):
    from portfolio.tasks import delivery_import_catch_up_task

    lost = DeliveryImport.objects.create(
        kind="work_items", value_stream=value_stream, content=WORK_ITEMS, uploaded_by=vsm
    )

    assert delivery_import_catch_up_task() == 1  # eager here: the import runs in process

    lost.refresh_from_db()
    assert (lost.status, lost.result.get("created")) == ("done", 2)
    assert WorkItem.objects.filter(value_stream=value_stream).count() == 2
