"""Views of the project itself rather than of one app."""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponsePermanentRedirect
from django.templatetags.static import static


@login_not_required
def favicon(request):
    """Browsers ask for /favicon.ico on pages without a <link rel=icon> (the admin): answer with
    our icon instead of a 404 that Chromium logs as a console error."""
    return HttpResponsePermanentRedirect(static("favicon.svg"))
