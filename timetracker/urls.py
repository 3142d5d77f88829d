from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("w/<str:ws>/", include("tracking.urls")),
    path("", include("workspaces.urls")),
]
