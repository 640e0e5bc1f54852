from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path

from config.views import ApiIndexView, DocsView, SchemaView, favicon
from core.urls import include_segments
from vmo.sso import SSOAuthenticateView, SSOCallbackView
from vmo.views.login import LoginView

# A database failure outside any view (the session lookup before it) is a 503, not a 500.
handler500 = "core.unavailable.server_error"

api_urlpatterns = [
    path("", ApiIndexView.as_view(), name="api-index"),
    include_segments("portfolio.api.urls"),
    include_segments("funding.api.urls"),
    include_segments("okrs.api.urls"),
    include_segments("kanban.api.urls"),
    include_segments("vmo.api.urls"),
    # Behind a login like everything else, unless API_DOCS_PUBLIC publishes them.
    path("schema/", SchemaView.as_view(), name="api-schema"),
    # The split view serves its start-up script as a file, so the docs work under our CSP.
    path("docs/", DocsView.as_view(url_name="api-schema"), name="api-docs"),
]

urlpatterns = [
    path("favicon.ico", favicon, name="favicon"),
    path("admin/", admin.site.urls),
    path("login/", LoginView.as_view(), name="login"),
    # Single sign-on (vmo/sso.py): both answer 404 while it is not configured. mozilla-django-oidc
    # reverses these two names.
    path("oidc/authenticate/", login_not_required(SSOAuthenticateView.as_view()), name="oidc_authentication_init"),
    path("oidc/callback/", login_not_required(SSOCallbackView.as_view()), name="oidc_authentication_callback"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("api/", include(api_urlpatterns)),
    include_segments("portfolio.urls"),
    include_segments("funding.urls"),
    include_segments("okrs.urls"),
    include_segments("kanban.urls"),
    include_segments("vmo.urls"),
    include_segments("notifications.urls"),
    include_segments("orgsettings.urls"),
]
