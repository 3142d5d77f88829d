"""Time entries, the timer, the timesheet and re-rating (tracking/views/entries.py)."""

from django.urls import URLPattern
from django.urls import path

from tracking.views import entries as views
from tracking.views import quick

urlpatterns: list[URLPattern] = [
    path("tracker/", views.tracker, name="tracker"),
    path("tracker/suggestions/", quick.suggestions, name="suggestions"),
    path("tracker/quick/tag/", quick.tag_quick_create, name="tag_quick_create"),
    path("tracker/quick/project/", quick.project_quick_create, name="project_quick_create"),
    path("tracker/timer/start/", views.timer_start, name="timer_start"),
    path("tracker/timer/stop/", views.timer_stop, name="timer_stop"),
    path("tracker/entries/", views.entry_create, name="entry_create"),
    path("tracker/entries/bulk/", views.entries_bulk, name="entries_bulk"),
    path("tracker/entries/<str:pk>/", views.entry_row, name="entry_row"),
    path("tracker/entries/<str:pk>/edit/", views.entry_edit, name="entry_edit"),
    path("tracker/entries/<str:pk>/delete/", views.entry_delete, name="entry_delete"),
    path("tracker/entries/<str:pk>/duplicate/", views.entry_duplicate, name="entry_duplicate"),
    path("tracker/entries/<str:pk>/continue/", views.entry_continue, name="entry_continue"),
    path("tracker/entries/<str:pk>/pin/", views.favorite_pin, name="favorite_pin"),
    path("tracker/favorites/<str:pk>/start/", views.favorite_start, name="favorite_start"),
    path("tracker/favorites/<str:pk>/unpin/", views.favorite_unpin, name="favorite_unpin"),
    path("timesheet/", views.timesheet, name="timesheet"),
    path("timesheet/cell/", views.timesheet_cell, name="timesheet_cell"),
    path("timesheet/row/delete/", views.timesheet_row_delete, name="timesheet_row_delete"),
    path("rates/reapply/", views.rates_reapply, name="rates_reapply"),
]
