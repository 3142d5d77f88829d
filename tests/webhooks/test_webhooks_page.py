"""Settings > Webhooks without a browser: who may open it, what it shows, bad input on the
form, and a number of queries that does not grow with the webhooks and their deliveries."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.api.conftest import api_client_for
from tests.conftest import client_for
from webhooks.models import Attempt
from webhooks.models import Delivery
from webhooks.models import Webhook

pytestmark = pytest.mark.django_db


def page_url(workspace) -> str:
    return reverse("webhooks:settings", kwargs={"ws": workspace.pk})


def _webhooks(workspace, owner, count: int, attempts_each: int) -> None:
    for i in range(count):
        webhook = Webhook.objects.create(
            workspace=workspace,
            created_by=owner,
            name=f"Hook {i}",
            url=f"https://example.com/{i}",
            event="NEW_TAG",
        )
        for n in range(attempts_each):
            delivery = Delivery.objects.create(
                workspace=workspace, webhook=webhook, event="NEW_TAG", body="{}"
            )
            Attempt.objects.create(
                workspace=workspace,
                delivery=delivery,
                webhook=webhook,
                status_code=200 if n % 2 else 500,
                duration_ms=10 + n,
            )


def test_page_shows_each_webhooks_last_20_attempts_in_flat_queries(
    workspace, owner, admin, django_assert_max_num_queries
):
    client = client_for(admin)
    _webhooks(workspace, owner, 1, 2)
    with django_assert_max_num_queries(20) as few:
        response = client.get(page_url(workspace))
    assert response.status_code == 200
    _webhooks(workspace, owner, 5, 25)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(page_url(workspace))
    html = response.content.decode()
    assert html.count('data-testid="webhook"') == 6
    assert html.count('data-testid="attempt"') == 2 + 5 * 20


def test_members_and_outsiders_cannot_open_the_page(workspace, member, outsider):
    assert client_for(member).get(page_url(workspace)).status_code == 403
    assert client_for(outsider).get(page_url(workspace)).status_code == 404


def test_a_private_address_is_refused_on_the_form_with_nothing_saved(workspace, admin, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_URLS = False
    response = client_for(admin).post(
        page_url(workspace),
        {"name": "Internal", "url": "http://10.0.0.5/hook", "event": "NEW_TAG"},
    )
    assert response.status_code == 200
    assert "private or local network" in response.content.decode()
    assert not Webhook.objects.exists()


def test_api_list_in_flat_queries(workspace, owner, django_assert_max_num_queries):
    api = api_client_for(owner)
    url = f"/api/v1/workspaces/{workspace.pk}/webhooks"
    _webhooks(workspace, owner, 1, 0)
    with django_assert_max_num_queries(12) as few:
        assert len(api.get(url).json()["webhooks"]) == 1
    _webhooks(workspace, owner, 10, 0)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(api.get(url).json()["webhooks"]) == 11
