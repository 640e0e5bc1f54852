"""Money and KR values from hostile input (AT-63): an exact value or a 400, never a 500 and never
a silent rounding.

Bodies are raw JSON text, so numbers reach the parser as written: exponents, NaN/Infinity, -0,
more decimals than the field keeps, huge and tiny values; strings add separators, currency signs,
Unicode digits and whitespace. Whatever is accepted must read back as exactly the value sent.
"""

import json
from decimal import Decimal, InvalidOperation

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from okrs.models import KeyResult
from portfolio.models import MMP, Epic
from tests.factories import EpicFactory, KeyResultFactory, MMPFactory, ObjectiveFactory

pytestmark = pytest.mark.django_db

FUZZ = settings(
    max_examples=150,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Numbers as a client might write them in JSON (not all of them valid JSON).
json_numbers = st.one_of(
    st.from_regex(r"-?[0-9]{1,22}(\.[0-9]{1,7})?([eE][+-]?[0-9]{1,3})?", fullmatch=True),
    st.sampled_from(["NaN", "Infinity", "-Infinity", "-0", "-0.00", "0.30000000000000004", "1e400", "1E-400"]),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
)
# Amounts as strings: plausible, localised, padded, or anything at all.
amount_strings = st.one_of(
    st.from_regex(r"\s*-?[0-9]{1,20}([.,][0-9]{1,5})?\s*", fullmatch=True),
    st.from_regex(r"[0-9]{1,3}([,. '_][0-9]{3}){1,4}(\.[0-9]{2})?", fullmatch=True),
    st.text(alphabet=st.characters(categories=["Nd"]), min_size=1, max_size=8),
    st.sampled_from(
        [
            "NaN",
            "nan",
            "Infinity",
            "-inf",
            "1e3",
            "1E+2",
            "$10.00",
            "10 EUR",
            "\u0661\u0662\u0663",
            "\uff11\uff12",
            "",
            " ",
        ]
    ),
    st.text(max_size=30),
)
raw_values = st.one_of(json_numbers, amount_strings.map(json.dumps))


def _sent_value(raw: str) -> Decimal | None:
    """The exact number the client meant by this JSON token (None: not a number at all)."""
    text = json.loads(raw) if raw.startswith('"') else raw
    try:
        value = Decimal(text.strip())
    except (InvalidOperation, ValueError, AttributeError):
        return None
    return value if value.is_finite() else None


def _assert_exact_or_400(response, raw: str, stored: Decimal | None, shown: str | None, before: Decimal | None):
    assert response.status_code in (200, 201, 400), (raw, response.status_code)
    if response.status_code == 400:
        assert stored == before  # nothing changed
        return
    sent = _sent_value(raw)
    assert sent is not None, raw
    assert stored == sent, (raw, stored)
    assert Decimal(shown) == sent, (raw, shown)


@given(raw=raw_values)
@example(raw="1234567890123456.78")
@example(raw='"92233720368547.75"')
@example(raw='"92233720368547.76"')
@FUZZ
def test_epic_estimated_cost_is_exact_or_400(api_as, vsm, value_stream, raw):
    epic = EpicFactory(value_stream=value_stream, estimated_cost_cents=100)

    response = api_as(vsm).patch(
        f"/api/epics/{epic.id}/", f'{{"estimated_cost": {raw}}}', content_type="application/json"
    )

    cents = Epic.objects.get(id=epic.id).estimated_cost_cents
    shown = response.json().get("estimated_cost") if response.status_code == 200 else None
    _assert_exact_or_400(response, raw, Decimal(cents) / 100, shown, Decimal("1.00"))


@given(raw=raw_values)
@example(raw="0.1")
@example(raw='" 12.50 "')
@FUZZ
def test_mmp_cost_estimate_is_exact_or_400(api_as, vsm, value_stream, raw):
    mmp = MMPFactory(epic=EpicFactory(value_stream=value_stream), cost_estimate_cents=100)

    response = api_as(vsm).patch(f"/api/mmps/{mmp.id}/", f'{{"cost_estimate": {raw}}}', content_type="application/json")

    cents = MMP.objects.get(id=mmp.id).cost_estimate_cents
    shown = response.json().get("cost_estimate") if response.status_code == 200 else None
    _assert_exact_or_400(response, raw, Decimal(cents) / 100, shown, Decimal("1.00"))


@given(raw=raw_values)
@example(raw="99999999999999.9999")
@example(raw="12345678901234.5678")
@example(raw="0.12345")
@FUZZ
def test_key_result_current_is_exact_or_400(api_as, vsm, value_stream, raw):
    kr = KeyResultFactory(objective=ObjectiveFactory(value_stream=value_stream), baseline=0, target=100, current=7)

    response = api_as(vsm).patch(f"/api/key-results/{kr.id}/", f'{{"current": {raw}}}', content_type="application/json")

    stored = KeyResult.objects.get(id=kr.id).current
    shown = response.json().get("current") if response.status_code == 200 else None
    _assert_exact_or_400(response, raw, stored, shown, Decimal("7"))


@given(raw=raw_values)
@example(raw="99999999999999.9999")
@FUZZ
def test_check_in_value_is_exact_or_400(api_as, vsm, value_stream, raw):
    kr = KeyResultFactory(objective=ObjectiveFactory(value_stream=value_stream), baseline=0, target=100, current=7)

    response = api_as(vsm).post(
        f"/api/key-results/{kr.id}/check-ins/", f'{{"value": {raw}, "confidence": 5}}', content_type="application/json"
    )

    stored = kr.check_ins.values_list("value", flat=True).first()
    if response.status_code == 201:
        assert KeyResult.objects.get(id=kr.id).current == stored
    shown = response.json().get("value") if response.status_code == 201 else None
    _assert_exact_or_400(response, raw, stored, shown, None)
