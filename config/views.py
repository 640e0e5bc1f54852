"""Views of the project itself rather than of one app."""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponsePermanentRedirect
from django.templatetags.static import static
from drf_spectacular.utils import extend_schema, inline_serializer
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView


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


class ApiIndexView(APIView):
    """`GET /api/`: every collection of the API with its URL, and where the schema and docs are.

    Read from the apps' routers, so a collection registered there appears here by itself."""

    @extend_schema(
        summary="The API's collections",
        responses=inline_serializer(
            "ApiIndex",
            {
                "collections": serializers.DictField(
                    child=serializers.URLField(), help_text="Collection name -> its URL, by name."
                ),
                "schema": serializers.URLField(),
                "docs": serializers.URLField(),
            },
        ),
    )
    def get(self, request):
        from funding.api.urls import router as funding
        from kanban.api.urls import router as kanban
        from okrs.api.urls import router as okrs
        from portfolio.api.urls import router as portfolio
        from vmo.api.urls import router as vmo

        names = sorted(
            (prefix, basename)
            for router in (portfolio, funding, okrs, kanban, vmo)
            for prefix, _viewset, basename in router.registry
        )
        return Response(
            {
                "collections": {prefix: reverse(f"{basename}-list", request=request) for prefix, basename in names},
                "schema": reverse("api-schema", request=request),
                "docs": reverse("api-docs", request=request),
            }
        )
