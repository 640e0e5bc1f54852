"""CSV import of spend: validated, all or nothing, line numbers, formula cells, limits."""

import datetime as dt

import pytest

from funding.models import Spend
from funding.services import spend as services
from tests.factories import EpicFactory

pytestmark = pytest.mark.django_db


def _csv(*lines: str) -> bytes:
    return ("\r\n".join(lines) + "\r\n").encode()


def test_good_file_imports_every_row(vsm, value_stream):
    EpicFactory(key="PAY-1", value_stream=value_stream)
    data = b"\xef\xbb\xbf" + _csv(
        "value_stream,month,amount,category,epic,note",
        "payments,2026-07,1234.50,labour,PAY-1,July payroll",
        "payments,2026-08-01,99,licences,,=cmd|' /C calc'!A0",
    )

    result = services.spend_import_csv(user=vsm, data=data)

    assert (result.created, result.errors) == (2, [])
    rows = list(Spend.objects.order_by("month").values_list("month", "amount_cents", "category", "epic__key", "note"))
    assert rows == [
        (dt.date(2026, 7, 1), 1234_50, "labour", "PAY-1", "July payroll"),
        (dt.date(2026, 8, 1), 99_00, "licences", None, "'=cmd|' /C calc'!A0"),
    ]
    assert Spend.objects.first().history.get().history_user_id == vsm.id


def test_one_bad_row_means_nothing_is_written_and_errors_name_lines(vsm, value_stream, other_value_stream):
    data = _csv(
        "value_stream,month,amount",
        "payments,2026-07,100.00",
        "payments,2026-07,1.005",
        "onboarding,2026-07,5",
        "nowhere,July,1e3",
        "payments,2026-07,-1",
        "payments,2026-07,\u0661\u0660\u0660",  # Arabic-Indic digits
        'payments,2026-07,"1,000.00"',
    )

    result = services.spend_import_csv(user=vsm, data=data)

    assert result.created == 0
    assert [e.split(":")[0] for e in result.errors] == ["Line 3", "Line 4", "Line 5", "Line 6", "Line 7", "Line 8"]
    assert "you may not record spend for Onboarding" in result.errors[1]
    assert "unknown value stream 'nowhere'" in result.errors[2]
    assert "month must look like 2026-07" in result.errors[2]
    assert Spend.objects.count() == 0


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"month,amount\r\n2026-07,1\r\n", "Line 1: missing columns: value_stream"),
        (b"value_stream,month,amount,=evil\r\n", "Line 1: unknown columns: '=evil"),
        (b"\xff\xfe\x00v", "The file is not UTF-8 text."),
        (b"value_stream,month,amount\r\n", "The file has no rows."),
        (b"value_stream,month,amount\r\npayments,2026-07,1,extra\r\n", "Line 2: more cells than columns."),
    ],
)
def test_bad_files_are_refused_with_a_message(vsm, value_stream, data, message):
    result = services.spend_import_csv(user=vsm, data=data)

    assert result.created == 0
    assert result.errors[0].startswith(message)
    assert Spend.objects.count() == 0


def test_limits_are_checked_before_parsing(vsm, value_stream, monkeypatch):
    monkeypatch.setattr(services, "SPEND_CSV_MAX_ROWS", 2)
    too_many = _csv("value_stream,month,amount", *["payments,2026-07,1"] * 3)
    too_big = b"x" * (services.SPEND_CSV_MAX_BYTES + 1)

    assert services.spend_import_csv(user=vsm, data=too_many).errors == ["The file has more than 2 rows."]
    assert services.spend_import_csv(user=vsm, data=too_big).errors == ["The file is larger than 1,000,000 bytes."]
    assert Spend.objects.count() == 0


def test_epic_of_another_stream_is_refused(director, value_stream, other_value_stream):
    EpicFactory(key="ONB-1", value_stream=other_value_stream)

    result = services.spend_import_csv(
        user=director, data=_csv("value_stream,month,amount,epic", "payments,2026-07,1,ONB-1")
    )

    assert result.errors == ["Line 2: epic ONB-1 belongs to another value stream."]
