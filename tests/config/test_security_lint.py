"""Project greps for the authorisation and injection slips that broke comparable apps
(../shared/reference/security-reliability.md): each would be easy to add by accident."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APPS = ("config", "portfolio", "funding", "okrs", "kanban", "vmo")


def source_files(*suffixes: str):
    for app in APPS:
        for path in (ROOT / app).rglob("*"):
            if path.suffix in suffixes and "migrations" not in path.parts:
                yield path
    if ".html" in suffixes:
        yield from (ROOT / "templates").rglob("*.html")


@pytest.mark.parametrize(
    ("_case", "pattern", "suffixes"),
    [
        ("serializers list their fields", r"""fields\s*=\s*["']__all__["']""", (".py",)),
        ("no view skips CSRF", r"csrf_exempt", (".py",)),
        # Webhooks authenticate the sender by signature instead of a user, so they are exempt.
        ("no open API endpoint outside the webhooks", r"AllowAny|permission_classes\s*=\s*\[\s*\]", (".py",)),
        ("no raw SQL built with string formatting", r"""\.(raw|extra)\(\s*f["']""", (".py",)),
        ("user text is never marked safe in Python", r"mark_safe\(", (".py",)),
        ("user text is never marked safe in templates", r"\|\s*safe\b", (".html",)),
        ("no inline event handlers (the CSP forbids them)", r"""\son[a-z]+\s*=\s*["']""", (".html",)),
        ("no inline styles (the CSP forbids them)", r"""\sstyle\s*=\s*["']""", (".html",)),
        ("no hx-on (needs eval under the CSP)", r"hx-on", (".html",)),
        ("nothing loads from a CDN", r"""(src|href)=["']https?://""", (".html",)),
    ],
)
def test_source_has_no(_case, pattern, suffixes):
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in source_files(*suffixes)
        if not (_case.startswith("no open API") and "webhook" in path.name)
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if re.search(pattern, line)
    ]

    assert offenders == []
