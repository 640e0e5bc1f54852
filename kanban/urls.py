from django.urls import path

from kanban import views

urlpatterns = [
    path("kanban/", views.board, name="kanban-board"),
    path("kanban/scoring/", views.scoring, name="kanban-scoring"),
    path("kanban/epics/new/", views.epic_new, name="kanban-epic-new"),
    path("kanban/epics/<str:key>/", views.epic_page, name="kanban-epic"),
    path("kanban/epics/<str:key>/edit/", views.epic_edit, name="kanban-epic-edit"),
    path("kanban/epics/<str:key>/move/", views.epic_move_view, name="kanban-epic-move"),
    path("kanban/epics/<str:key>/score/", views.epic_score_view, name="kanban-epic-score"),
    path("kanban/epics/<str:key>/go-decision/", views.epic_go_decision_view, name="kanban-epic-go-decision"),
]
