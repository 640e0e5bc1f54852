from django.urls import path

from vmo.views import backlog, health, overview

urlpatterns = [
    path("", overview.overview, name="overview"),
    path("vmo/", backlog.vmo_home, name="vmo-home"),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
]
