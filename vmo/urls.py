from django.urls import path

from vmo import views

urlpatterns = [
    path("", views.overview, name="overview"),
    path("vmo/", views.vmo_home, name="vmo-home"),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
]
