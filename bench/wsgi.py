"""The bench's WSGI application: the project's own, plus the floors (bench/__init__.py).

A path under FLOOR_PREFIX runs its floor here, before Django's handler, so a floor pays the same
socket, HTTP parsing and gunicorn worker as our pages and nothing of our stack. Every other path
goes to config.wsgi's application unchanged (one string comparison in front of it).
"""

import importlib
import os
from urllib.parse import parse_qsl

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.bench")

from bench import FLOOR_PREFIX, FLOORS, SECTIONS
from config.wsgi import application as django_application

for section in SECTIONS:
    importlib.import_module(f"bench.{section}")  # registers its floors


def application(environ, start_response):
    path = environ.get("PATH_INFO", "")
    if not path.startswith(FLOOR_PREFIX):
        return django_application(environ, start_response)
    content_type, body = FLOORS[path.removeprefix(FLOOR_PREFIX)](dict(parse_qsl(environ.get("QUERY_STRING", ""))))
    start_response("200 OK", [("Content-Type", content_type), ("Content-Length", str(len(body)))])
    return [body]
