from django.contrib import admin
from django.urls import include
from django.urls import path

from quickbooks_sync.urls import public_urlpatterns as quickbooks_public

urlpatterns = [
    path("admin/", admin.site.urls),
    # The REST API in Clockify's v1 dialect (see workspaces/rest/ and tracking/apis/).
    path("api/", include("timetracker.api_urls")),
    path("reports/", include("reports.api_urls")),
    path("w/<str:ws>/reports/", include("reports.urls")),
    path("w/<str:ws>/dashboard/", include("reports.urls_dashboard")),
    path("quickbooks/", include((quickbooks_public, "quickbooks_public"))),
    path("w/<str:ws>/quickbooks/", include("quickbooks_sync.urls")),
    path("w/<str:ws>/settings/webhooks/", include("webhooks.urls")),
    path("w/<str:ws>/", include("tracking.urls")),
    path("", include("workspaces.urls")),
]
