"""Middleware that knows no app of ours."""

from django.utils.cache import patch_vary_headers


class VaryOnHtmxMiddleware:
    """Add `Vary: HX-Request` to every response.

    Many views answer the same URL with a fragment for htmx and a whole page otherwise, and
    `hx-push-url` puts those URLs in the history. Without the header, the browser's cache may
    hand the fragment back on Back/Forward or reload and the user sees a bare, unstyled table.
    Doing it here rather than per view means a view added tomorrow cannot forget it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        patch_vary_headers(response, ("HX-Request",))
        return response
