from django.urls import path

from portfolio import delivery_views, event_views, views

# The value stream page itself (/value-streams/<slug>/) lives in vmo, which reads every app.
urlpatterns = [
    path("value-streams/", views.value_stream_index, name="value-stream-list"),
    path("metrics/", views.metrics_catalogue, name="metrics"),
    path("delivery/import/", delivery_views.delivery_import, name="delivery-import"),
    path("delivery/parked/", delivery_views.delivery_parked, name="delivery-parked"),
    path("events/", event_views.event_subscriptions, name="event-subscriptions"),
    path("events/<int:subscription_id>/", event_views.event_subscription_action, name="event-subscription-action"),
    path("delivery/import/<int:import_id>/", delivery_views.delivery_import_detail, name="delivery-import-detail"),
]
