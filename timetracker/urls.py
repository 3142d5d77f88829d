from django.contrib import admin
from django.urls import include
from django.urls import path
from django.urls import re_path

from quickbooks_sync.urls import public_urlpatterns as quickbooks_public
from reports.api_urls import urlpatterns as reports_api
from workspaces.rest.exceptions import api_not_found

urlpatterns = [
    path("admin/", admin.site.urls),
    # The REST API in Clockify's v1 dialect (see workspaces/rest/ and tracking/apis/).
    path("api/", include("timetracker.api_urls")),
    # Clockify's Reports API tree: as under /api/, any other path is the API's JSON 404.
    path("reports/", include([*reports_api, re_path(r"^(?P<unmatched>.*)$", api_not_found)])),
    path("w/<str:ws>/reports/", include("reports.urls")),
    path("w/<str:ws>/dashboard/", include("reports.urls_dashboard")),
    path("quickbooks/", include((quickbooks_public, "quickbooks_public"))),
    path("w/<str:ws>/quickbooks/", include("quickbooks_sync.urls")),
    path("w/<str:ws>/settings/webhooks/", include("webhooks.urls")),
    path("w/<str:ws>/", include("tracking.urls")),
    path("", include("workspaces.urls")),
]
