from django.urls import path

from okrs import views

urlpatterns = [
    path("okrs/", views.okrs_home, name="okrs-home"),
]
