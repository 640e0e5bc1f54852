"""Scheduled reports: directors schedule, each schedule sends once a month with its attachment,
the history page shows what went out; non-directors are refused and change nothing."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from notifications.models import DeliveryStatus, ReportDelivery, ReportSchedule
from notifications.services import report_schedule_create, report_schedule_set_active, report_schedules_send
from notifications.tasks import report_schedules_send_task
from tests.factories_notify import ReportDeliveryFactory, ReportScheduleFactory

pytestmark = pytest.mark.django_db


def at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(6, 30), tzinfo=dt.UTC)


def test_a_director_schedules_a_report(director, value_stream):
    schedule = report_schedule_create(
        user=director,
        report="monthly_pdf",
        day_of_month=3,
        recipients="cfo@example.org, board@example.org\ncfo@example.org",
        value_stream=value_stream,
    )
    assert schedule.recipient_list == ["cfo@example.org", "board@example.org"]
    assert (schedule.day_of_month, schedule.value_stream_id) == (3, value_stream.id)
    assert schedule.created_by_id == director.id


@pytest.mark.parametrize("persona", ["vsm", "executive", "program_manager"])
def test_only_directors_schedule_and_a_refusal_changes_nothing(request, persona):
    user = request.getfixturevalue(persona)
    with pytest.raises(PermissionDenied):
        report_schedule_create(user=user, report="monthly_pdf", day_of_month=3, recipients="a@example.org")
    assert ReportSchedule.objects.count() == 0


@pytest.mark.parametrize(
    ("fields", "error_field"),
    [
        ({"day_of_month": 29}, "day_of_month"),
        ({"day_of_month": 0}, "day_of_month"),
        ({"recipients": "not-an-address"}, "recipients"),
        ({"recipients": " , "}, "recipients"),
        ({"report": "nonsense"}, "report"),
    ],
)
def test_bad_schedules_are_refused(director, fields, error_field):
    data = {"report": "monthly_pdf", "day_of_month": 3, "recipients": "a@example.org", **fields}
    with pytest.raises(ValidationError) as caught:
        report_schedule_create(user=director, **data)
    assert error_field in caught.value.message_dict
    assert ReportSchedule.objects.count() == 0


def test_pausing_is_for_directors(director, vsm):
    schedule = ReportScheduleFactory()
    with pytest.raises(PermissionDenied):
        report_schedule_set_active(user=vsm, schedule_id=schedule.id, active=False)
    schedule.refresh_from_db()
    assert schedule.active is True
    report_schedule_set_active(user=director, schedule_id=schedule.id, active=False)
    schedule.refresh_from_db()
    assert schedule.active is False


def test_the_monthly_report_goes_out_once_a_month_with_the_pdf(quarter, value_stream, mailoutbox):
    # (A value stream: vmo's PDF cannot draw its charts for a portfolio without any; see the notes.)
    schedule = ReportScheduleFactory(day_of_month=3, recipients="cfo@example.org\nboard@example.org")
    # Before the day: nothing.
    assert report_schedules_send(now=at(dt.date(2026, 8, 2))) == []
    # On the day: one mail to both, last month's report attached.
    [delivery] = report_schedules_send(now=at(dt.date(2026, 8, 3)))
    [mail] = mailoutbox
    assert mail.to == ["cfo@example.org", "board@example.org"]
    assert mail.subject == "VMO: Monthly report (PDF) (August 2026)"
    [(filename, content, mimetype)] = mail.attachments
    assert (filename, mimetype) == ("vmo-report-portfolio-2026-07.pdf", "application/pdf")
    assert content.startswith(b"%PDF")
    assert (delivery.status, delivery.month, delivery.filename, delivery.size_bytes) == (
        DeliveryStatus.SENT,
        dt.date(2026, 8, 1),
        "vmo-report-portfolio-2026-07.pdf",
        len(content),
    )
    # Later the same month, and twice: nothing more.
    assert report_schedules_send(now=at(dt.date(2026, 8, 3))) == []
    assert report_schedules_send(now=at(dt.date(2026, 8, 20))) == []
    assert len(mailoutbox) == 1
    # Next month: again.
    assert len(report_schedules_send(now=at(dt.date(2026, 9, 5)))) == 1
    assert [d.month for d in ReportDelivery.objects.order_by("month")] == [dt.date(2026, 8, 1), dt.date(2026, 9, 1)]
    assert schedule.deliveries.count() == 2


def test_the_overview_export_is_attached_as_xlsx(quarter, mailoutbox):
    ReportScheduleFactory(report="overview_xlsx", day_of_month=1)
    report_schedules_send(now=at(dt.date(2026, 8, 1)))
    [(filename, content, mimetype)] = mailoutbox[0].attachments
    assert filename == "vmo-overview-2026-Q3.xlsx"
    assert mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert content.startswith(b"PK")


def test_a_paused_schedule_sends_nothing(quarter, mailoutbox):
    ReportScheduleFactory(active=False)
    assert report_schedules_send(now=at(dt.date(2026, 8, 10))) == []
    assert mailoutbox == []


def test_a_failed_month_is_recorded_and_retried(quarter, value_stream, mailoutbox, monkeypatch):
    ReportScheduleFactory()

    def broken(**kwargs):
        raise OSError("disk full")

    with monkeypatch.context() as patch:
        patch.setattr("notifications.services.report_attachment", broken)
        [failed] = report_schedules_send(now=at(dt.date(2026, 8, 3)))
    assert (failed.status, failed.error) == (DeliveryStatus.FAILED, "OSError: disk full")
    [sent] = report_schedules_send(now=at(dt.date(2026, 8, 4)))
    assert (sent.id, sent.status, sent.error) == (failed.id, DeliveryStatus.SENT, "")
    assert len(mailoutbox) == 1


def test_a_month_claimed_by_another_run_is_not_sent_again(quarter, mailoutbox):
    # Another worker claimed August and is sending it right now.
    ReportDeliveryFactory(schedule=ReportScheduleFactory(), month=dt.date(2026, 8, 1), status=DeliveryStatus.SENDING)
    assert report_schedules_send(now=at(dt.date(2026, 8, 3))) == []
    assert mailoutbox == []


def test_the_beat_task_sends_due_schedules(current_quarter, value_stream, mailoutbox):
    ReportScheduleFactory(day_of_month=1)
    assert report_schedules_send_task.apply().get() == 1
    assert report_schedules_send_task.apply().get() == 0


# --- the page ------------------------------------------------------------------------------------


def test_the_page_shows_schedules_and_history(client, executive):
    schedule = ReportScheduleFactory(recipients="cfo@example.org")
    ReportDeliveryFactory(schedule=schedule, month=dt.date(2026, 7, 1), status="sent", filename="vmo-report.pdf")
    client.force_login(executive)
    response = client.get(reverse("report-schedules"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "cfo@example.org" in body
    assert "2026-07" in body and "vmo-report.pdf" in body
    assert 'id="schedule-form"' not in body  # executives read, directors schedule


def test_a_director_schedules_on_the_page(client, director):
    client.force_login(director)
    data = {"report": "overview_xlsx", "day_of_month": "5", "recipients": "cfo@example.org", "value_stream": ""}
    response = client.post(reverse("report-schedules"), data)
    assert response.status_code == 302
    assert list(ReportSchedule.objects.values_list("report", "day_of_month", "recipients")) == [
        ("overview_xlsx", 5, "cfo@example.org")
    ]


def test_a_bad_form_is_shown_again(client, director):
    client.force_login(director)
    data = {"report": "monthly_pdf", "day_of_month": "31", "recipients": "nope", "value_stream": ""}
    response = client.post(reverse("report-schedules"), data)
    assert response.status_code == 400
    assert ReportSchedule.objects.count() == 0


@pytest.mark.parametrize("day", ["5", "31"])
def test_non_directors_are_refused_on_the_page(client, vsm, day):
    client.force_login(vsm)
    data = {"report": "monthly_pdf", "day_of_month": day, "recipients": "cfo@example.org", "value_stream": ""}
    assert client.post(reverse("report-schedules"), data).status_code == 403
    schedule = ReportScheduleFactory()
    assert client.post(reverse("report-schedule-active", args=[schedule.id]), {"active": "0"}).status_code == 403
    assert list(ReportSchedule.objects.values_list("id", "active")) == [(schedule.id, True)]


@pytest.mark.parametrize("count", [1, 6])
def test_the_schedules_page_costs_the_same_queries_whatever_the_count(
    client, director, value_stream, django_assert_num_queries, count
):
    for day in range(1, count + 1):
        schedule = ReportScheduleFactory(day_of_month=day, value_stream=value_stream, created_by=director)
        ReportDeliveryFactory(schedule=schedule, month=dt.date(2026, 7, 1), status="sent")
    client.force_login(director)
    # Session, user, the director check, schedules, deliveries, the form's value streams, the
    # user menu's roles.
    with django_assert_num_queries(7):
        response = client.get(reverse("report-schedules"))
    assert response.content.decode().count('<tr id="schedule-') == count
