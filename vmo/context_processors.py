"""Context every page needs: the navigation and the installation's currency."""

from django.conf import settings
from django.utils.functional import SimpleLazyObject

NAVIGATION = (
    ("overview", "Overview"),
    ("kanban-board", "Kanban"),
    ("funding-home", "Funding"),
    ("okrs-home", "OKRs"),
    ("value-stream-list", "Value streams"),
    ("vmo-home", "VMO"),
)


def _background_delayed(request) -> bool:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return False
    from vmo.selectors.snapshots import outbox_delayed

    return outbox_delayed()


def shell(request):
    match = getattr(request, "resolver_match", None)
    return {
        "navigation": NAVIGATION,
        "current_url_name": match.url_name if match else "",
        "currency": settings.CURRENCY,
        # Lazy: one indexed query, only when the page renders the banner (base.html).
        "background_delayed": SimpleLazyObject(lambda: _background_delayed(request)),
    }
