"""Read-only requests read from a PostgreSQL replica when `DATABASE_REPLICA_URL` is set.

`ReadOnlyRequestMiddleware` marks a GET or HEAD request (a page shown, an API list or detail)
as one that may read from the `replica` alias; `ReplicaRouter` then sends its ORM reads there.
Everything else reads and writes the primary: POSTs and other writes, and, inside a GET, every
read after the request's first write (it must see what it wrote). Sessions, users and their
groups, tokens and the content types always come from the primary, so a login or a logout is
seen at once by the next request whatever the replica's lag.
"""

from contextvars import ContextVar

from django.conf import settings

REPLICA = "replica"
# Read per request, not per process: one worker thread serves many requests in turn.
_read_only: ContextVar[bool] = ContextVar("read_only_request", default=False)
PRIMARY_APPS = frozenset({"sessions", "auth", "authtoken", "contenttypes", "axes", "admin"})


class ReplicaRouter:
    """Routes a read-only request's reads to `replica`; every write to the primary."""

    def db_for_read(self, model, **hints):
        if _read_only.get() and REPLICA in settings.DATABASES and model._meta.app_label not in PRIMARY_APPS:
            return REPLICA
        return None

    def db_for_write(self, model, **hints):
        _read_only.set(False)  # read-your-writes: the rest of the request reads the primary
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica holds the same rows as the primary

    def allow_migrate(self, db, app_label, **hints):
        return None  # `migrate` runs on the primary; a physical replica follows it


class ReadOnlyRequestMiddleware:
    """Marks GET and HEAD requests as read-only for `ReplicaRouter`, for the request's duration."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _read_only.set(request.method in ("GET", "HEAD"))
        try:
            return self.get_response(request)
        finally:
            _read_only.reset(token)
