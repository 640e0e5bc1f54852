"""The login page: username and password, and single sign-on where it is configured."""

from django.contrib.auth import views as auth_views

from vmo.sso import password_login_enabled, sso_enabled


class LoginView(auth_views.LoginView):
    """Django's login, offering single sign-on when configured; with PASSWORD_LOGIN off it shows
    only the single sign-on button and refuses a posted password (403, nothing authenticated)."""

    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["sso_enabled"] = sso_enabled()
        context["password_login"] = password_login_enabled()
        return context

    def post(self, request, *args, **kwargs):
        if not password_login_enabled():
            context = self.get_context_data(password_refused=True)
            return self.render_to_response(context, status=403)
        return super().post(request, *args, **kwargs)
