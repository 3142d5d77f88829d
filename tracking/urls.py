from django.urls import path

app_name = "tracking"

# Mounted under /w/<ws>/ by timetracker/urls.py.
urlpatterns: list = []
