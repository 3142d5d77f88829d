"""Clients, projects (members, rates), tasks and tags (tracking/views/catalog.py).

Pages are GET; every change is a POST to its own URL (admins and the owner only).
"""

from django.urls import URLPattern, path

from tracking.views import catalog as views

urlpatterns: list[URLPattern] = [
    path("clients/", views.clients, name="clients"),
    path("clients/new/", views.client_create, name="client_create"),
    path("clients/<str:pk>/edit/", views.client_update, name="client_update"),
    path("clients/<str:pk>/archive/", views.client_archive, name="client_archive"),
    path("clients/<str:pk>/delete/", views.client_delete, name="client_delete"),
    path("tags/", views.tags, name="tags"),
    path("tags/new/", views.tag_create, name="tag_create"),
    path("tags/<str:pk>/edit/", views.tag_update, name="tag_update"),
    path("tags/<str:pk>/archive/", views.tag_archive, name="tag_archive"),
    path("tags/<str:pk>/delete/", views.tag_delete, name="tag_delete"),
    path("projects/", views.projects, name="projects"),
    path("projects/new/", views.project_create, name="project_create"),
    path("projects/<str:pk>/", views.project_detail, name="project_detail"),
    path("projects/<str:pk>/edit/", views.project_update, name="project_update"),
    path("projects/<str:pk>/archive/", views.project_archive, name="project_archive"),
    path("projects/<str:pk>/delete/", views.project_delete, name="project_delete"),
    path("projects/<str:pk>/members/", views.project_member_add, name="project_member_add"),
    path(
        "projects/<str:pk>/members/<str:user_id>/rate/",
        views.project_member_rate,
        name="project_member_rate",
    ),
    path(
        "projects/<str:pk>/members/<str:user_id>/remove/",
        views.project_member_remove,
        name="project_member_remove",
    ),
    path("projects/<str:pk>/tasks/", views.task_create, name="task_create"),
    path("projects/<str:pk>/tasks/<str:task_id>/edit/", views.task_update, name="task_update"),
    path("projects/<str:pk>/tasks/<str:task_id>/status/", views.task_status, name="task_status"),
    path("projects/<str:pk>/tasks/<str:task_id>/delete/", views.task_delete, name="task_delete"),
]
