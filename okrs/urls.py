from django.urls import path

from okrs import views

urlpatterns = [
    path("okrs/", views.okrs_home, name="okrs-home"),
    path("okrs/key-results/<int:pk>/", views.key_result_page, name="okrs-key-result"),
    path("okrs/key-results/<int:pk>/edit/", views.key_result_edit, name="okrs-key-result-edit"),
    path("okrs/key-results/<int:pk>/check-in/", views.key_result_check_in, name="okrs-check-in"),
    path("okrs/epics/<str:key>/benefit-key-result/", views.epic_benefit_key_result, name="okrs-benefit-key-result"),
    path("okrs/objectives/new/", views.objective_new, name="okrs-objective-new"),
    path("okrs/objectives/<int:objective_pk>/key-results/new/", views.key_result_new, name="okrs-key-result-new"),
]
