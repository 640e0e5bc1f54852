from django.urls import path

from portfolio import views

urlpatterns = [
    path("value-streams/", views.value_stream_index, name="value-stream-list"),
    path("value-streams/<slug:slug>/", views.value_stream_detail, name="value-stream-detail"),
]
