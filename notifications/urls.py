from django.urls import path

from notifications import views

urlpatterns = [
    path("notifications/", views.notification_index, name="notification-list"),
    path("notifications/bell/", views.bell, name="notification-bell"),
    path("notifications/<int:pk>/read/", views.notification_read, name="notification-read"),
    path("notifications/read-all/", views.notification_read_all, name="notification-read-all"),
    path("notifications/preferences/", views.preferences, name="notification-preferences"),
    path("reports/schedules/", views.report_schedules, name="report-schedules"),
    path("reports/schedules/<int:pk>/active/", views.report_schedule_active, name="report-schedule-active"),
]
