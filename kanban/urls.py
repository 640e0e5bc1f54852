from django.urls import path

from kanban import views

urlpatterns = [
    path("kanban/", views.board, name="kanban-board"),
]
