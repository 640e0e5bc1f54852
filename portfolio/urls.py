from django.urls import path

from portfolio import views

# The value stream page itself (/value-streams/<slug>/) lives in vmo, which reads every app.
urlpatterns = [
    path("value-streams/", views.value_stream_index, name="value-stream-list"),
]
