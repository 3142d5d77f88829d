"""Mounted under /w/<ws>/ by timetracker/urls.py; every view takes the workspace id `ws`."""

from tracking.urls_approvals import urlpatterns as approvals_urls
from tracking.urls_catalog import urlpatterns as catalog_urls
from tracking.urls_entries import urlpatterns as entries_urls

app_name = "tracking"

urlpatterns = entries_urls + catalog_urls + approvals_urls
