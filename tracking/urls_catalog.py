"""Clients, projects (members, rates), tasks and tags (tracking/views/catalog.py).

Pages are GET; every change is a POST to its own URL (admins and the owner only).
"""

from django.urls import URLPattern
from django.urls import path

from tracking.views import catalog as views
from tracking.views.catalog import View


def _named_routes(
    plural: str, singular: str, page: View, create: View, update: View, archive: View, delete: View
) -> list[URLPattern]:
    """The routes every named kind (clients, tags, projects) has: its page, new, edit, archive,
    delete."""
    return [
        path(f"{plural}/", page, name=plural),
        path(f"{plural}/new/", create, name=f"{singular}_create"),
        path(f"{plural}/<str:pk>/edit/", update, name=f"{singular}_update"),
        path(f"{plural}/<str:pk>/archive/", archive, name=f"{singular}_archive"),
        path(f"{plural}/<str:pk>/delete/", delete, name=f"{singular}_delete"),
    ]


urlpatterns: list[URLPattern] = [
    *_named_routes(
        "clients",
        "client",
        views.clients,
        views.client_create,
        views.client_update,
        views.client_archive,
        views.client_delete,
    ),
    *_named_routes(
        "tags",
        "tag",
        views.tags,
        views.tag_create,
        views.tag_update,
        views.tag_archive,
        views.tag_delete,
    ),
    *_named_routes(
        "projects",
        "project",
        views.projects,
        views.project_create,
        views.project_update,
        views.project_archive,
        views.project_delete,
    ),
    path("projects/<str:pk>/", views.project_detail, name="project_detail"),
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
