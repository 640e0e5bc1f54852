"""Views of the project itself rather than of one app."""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponsePermanentRedirect
from django.templatetags.static import static
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView


@login_not_required
def favicon(request):
    """Browsers ask for /favicon.ico on pages without a <link rel=icon> (the admin): answer with
    our icon instead of a 404 that Chromium logs as a console error."""
    return HttpResponsePermanentRedirect(static("favicon.svg"))


def _docs_permissions():
    from django.conf import settings
    from rest_framework.permissions import IsAuthenticated

    # No permission at all when an installation publishes its schema.
    return [] if settings.API_DOCS_PUBLIC else [IsAuthenticated()]


class SchemaView(SpectacularAPIView):
    """The OpenAPI schema: for logged-in users (session or token) unless `API_DOCS_PUBLIC`.
    Read per request, so the setting needs no URL reload."""

    def get_permissions(self):
        return _docs_permissions()


class DocsView(SpectacularSwaggerSplitView):
    """Swagger UI, a browser page: an anonymous visitor is sent to the login page."""

    def get_permissions(self):
        return _docs_permissions()

    def dispatch(self, request, *args, **kwargs):
        from django.conf import settings
        from django.contrib.auth.views import redirect_to_login

        if not settings.API_DOCS_PUBLIC and not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return super().dispatch(request, *args, **kwargs)
