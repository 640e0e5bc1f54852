"""What every funding page shares: the one POST helper, and the value streams a user may write to.

A view parses input, calls one service and renders. Refusals are translated the same way on
every page:
- `PermissionDenied` (raised by the service, the one permission gate, or by the same gate
  asked before the form is read) is never caught: Django answers 403;
- an invalid form, a `ValidationError` or a `FundingConflict` re-renders the region with the
  messages (`refused`);
- success re-renders the region (HTMX) or redirects (`done`).
"""

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect

from funding.services import FundingConflict
from portfolio.models import ValueStream
from portfolio.permissions import is_director, managed_value_stream_ids


def form_post(*, form, write: Callable, refused: Callable, done: Callable):
    """Parse `form` (None: nothing to parse), call `write(cleaned_data)` (one service), render.

    `refused(errors)` gets the messages as a list; a service's messages are also added to the
    form as non-field errors, for pages that show the form again. `done(result)` gets what the
    service returned.
    """
    if form is not None and not form.is_valid():
        return refused([message for messages_ in form.errors.values() for message in messages_])
    try:
        result = write(form.cleaned_data if form is not None else {})
    except (ValidationError, FundingConflict) as exc:
        errors = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
        if form is not None:
            form.add_error(None, " ".join(errors))
        return refused(errors)
    return done(result)


def saved(request, message: str, to, **kwargs):
    """Success on a full page: say so, then back to the list (post/redirect/get)."""
    messages.success(request, message)
    return redirect(to, **kwargs)


def writable_streams(user):
    """Active value streams whose teams and spend `user` may change (the forms' choices)."""
    if is_director(user):
        return ValueStream.objects.filter(active=True)
    return ValueStream.objects.filter(pk__in=managed_value_stream_ids(user), active=True)
