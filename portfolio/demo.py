"""Demo data for the base domain: the demo users, value streams, quarters and themes.

Every seeder in the project is idempotent (update_or_create on natural keys, a fixed random
seed), so `manage.py seed_demo` run twice gives the same data. Later seeders receive the
`DemoContext` this one returns.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from portfolio import roles
from portfolio.models import DeliveryMode, Quarter, QuarterStatus, StrategicTheme, ValueStream, ValueStreamKind

User = get_user_model()

DEMO_USERS = (
    # username, first, last, role, staff
    ("director", "Diana", "Reyes", roles.DIRECTOR, True),
    ("vsm", "Victor", "Santos", roles.VALUE_STREAM_MANAGER, False),
    ("executive", "Elena", "Kraus", roles.EXECUTIVE, False),
    ("pm", "Priya", "Menon", roles.PROGRAM_MANAGER, False),
    ("vsm2", "Grace", "Okafor", roles.VALUE_STREAM_MANAGER, False),
)

# name, slug, kind, delivery mode, manager username, description
# Modes (issue 18): one project stream (core-ops, whose projects another seeder plans), two agile
# streams that run sprints (onboarding, lending), the rest deploy continuously.
DEMO_VALUE_STREAMS = (
    (
        "Digital Payments",
        "payments",
        ValueStreamKind.DEVELOPMENT,
        DeliveryMode.CONTINUOUS,
        "vsm",
        "Card, wallet and instant payments for retail customers.",
    ),
    (
        "Customer Onboarding",
        "onboarding",
        ValueStreamKind.DEVELOPMENT,
        DeliveryMode.AGILE,
        "vsm",
        "From first visit to a verified, active account.",
    ),
    (
        "Lending Platform",
        "lending",
        ValueStreamKind.DEVELOPMENT,
        DeliveryMode.AGILE,
        "vsm2",
        "Consumer and SME loans: origination, decisioning, servicing.",
    ),
    (
        "Mobile App",
        "mobile",
        ValueStreamKind.DEVELOPMENT,
        DeliveryMode.CONTINUOUS,
        "vsm2",
        "The customer app on iOS and Android.",
    ),
    (
        "Data & Analytics",
        "data",
        ValueStreamKind.DEVELOPMENT,
        DeliveryMode.CONTINUOUS,
        "vsm2",
        "The data platform, reporting and models.",
    ),
    (
        "Core Banking Operations",
        "core-ops",
        ValueStreamKind.OPERATIONAL,
        DeliveryMode.PROJECT,
        "vsm",
        "Keeping the ledger, batch runs and regulatory reporting running.",
    ),
    (
        "Human Resources",
        "hr",
        ValueStreamKind.SUPPORT,
        DeliveryMode.CONTINUOUS,
        "vsm2",
        "Hiring, onboarding of staff, learning and payroll systems.",
    ),
    (
        "Finance & Accounting",
        "finance",
        ValueStreamKind.SUPPORT,
        DeliveryMode.CONTINUOUS,
        "vsm",
        "Accounting close, controlling and procurement.",
    ),
)

DEMO_THEMES = (
    ("Grow digital revenue", "Double the share of revenue from digital channels by 2028."),
    ("Operational excellence", "Fewer incidents, faster recovery, lower cost to serve."),
    ("Regulatory readiness", "Meet PSD3, DORA (EU) and Basel IV obligations on time."),
    ("Customer trust", "Security and transparency customers can see."),
)


@dataclass
class DemoContext:
    """What the base seeder created, handed to the other apps' seeders."""

    today: dt.date
    scale: int
    users: dict[str, object] = field(default_factory=dict)
    value_streams: list[ValueStream] = field(default_factory=list)
    quarters: dict[str, Quarter] = field(default_factory=dict)  # keys: last, current, next
    themes: list[StrategicTheme] = field(default_factory=list)


def quarter_bounds(day: dt.date) -> tuple[str, dt.date, dt.date]:
    q = (day.month - 1) // 3 + 1
    start = dt.date(day.year, 3 * (q - 1) + 1, 1)
    end = (dt.date(day.year + 1, 1, 1) if q == 4 else dt.date(day.year, 3 * q + 1, 1)) - dt.timedelta(days=1)
    return f"{day.year}-Q{q}", start, end


@transaction.atomic
def seed_base(*, password: str, today: dt.date, scale: int = 1) -> DemoContext:
    ctx = DemoContext(today=today, scale=scale)
    for username, first, last, role, staff in DEMO_USERS:
        user, _ = User.objects.update_or_create(
            username=username,
            defaults={"first_name": first, "last_name": last, "email": f"{username}@example.org", "is_staff": staff},
        )
        user.set_password(password)
        user.save(update_fields=["password"])
        user.groups.set([Group.objects.get(name=role)])
        ctx.users[username] = user

    current_code, current_start, current_end = quarter_bounds(today)
    last_code, last_start, last_end = quarter_bounds(current_start - dt.timedelta(days=1))
    next_code, next_start, next_end = quarter_bounds(current_end + dt.timedelta(days=1))
    for key, code, start, end, status in (
        ("last", last_code, last_start, last_end, QuarterStatus.CLOSED),
        ("current", current_code, current_start, current_end, QuarterStatus.ACTIVE),
        ("next", next_code, next_start, next_end, QuarterStatus.PLANNING),
    ):
        ctx.quarters[key], _ = Quarter.objects.update_or_create(
            code=code, defaults={"start": start, "end": end, "status": status}
        )

    for name, description in DEMO_THEMES:
        from django.utils.text import slugify

        theme, _ = StrategicTheme.objects.update_or_create(
            slug=slugify(name), defaults={"name": name, "description": description}
        )
        ctx.themes.append(theme)

    streams = list(DEMO_VALUE_STREAMS)
    # --scale N adds benchmark-size portfolios: generated development streams after the demo ones.
    for n in range(1, (scale - 1) * 20 + 1 if scale > 1 else 0):
        streams.append(
            (
                f"Generated Stream {n:03d}",
                f"generated-{n:03d}",
                ValueStreamKind.DEVELOPMENT,
                DeliveryMode.AGILE,
                "vsm2",
                "Generated for benchmarks.",
            )
        )
    for name, slug, kind, mode, manager, description in streams:
        value_stream, _ = ValueStream.objects.update_or_create(
            slug=slug, defaults={"name": name, "kind": kind, "delivery_mode": mode, "description": description}
        )
        value_stream.managers.set([ctx.users[manager]])
        ctx.value_streams.append(value_stream)
    return ctx
