from django.urls import path

from funding import views

urlpatterns = [
    path("funding/", views.funding_home, name="funding-home"),
]
