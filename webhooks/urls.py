from django.urls import path

from webhooks import views

app_name = "webhooks"

urlpatterns = [
    path("", views.webhooks_page, name="settings"),
    path("<str:pk>/toggle/", views.webhook_toggle, name="toggle"),
    path("<str:pk>/delete/", views.webhook_delete, name="delete"),
]
