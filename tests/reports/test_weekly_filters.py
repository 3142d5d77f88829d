"""The Weekly report takes the Detailed report's filters and has an earned view: the week's
billable amounts per row and day; filters go along with the week links, the exports and a
saved report; a filter naming another workspace's project is refused."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from tests.reports.test_weekly import MONDAY
from tests.reports.test_weekly import entry
from tests.reports.test_weekly import export
from tests.reports.test_weekly import url
from tests.tracking.factories import ProjectFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def week(workspace, owner, member):
    website = ProjectFactory(workspace=workspace, name="Website")
    audit = ProjectFactory(workspace=workspace, name="Audit")
    start = dt.datetime.combine(MONDAY, dt.time(9), tzinfo=dt.UTC)
    entry(
        workspace,
        owner,
        start,
        3600,
        project=website,
        billable=True,
        hourly_rate_cents=10000,
        currency="USD",
    )
    entry(
        workspace,
        member,
        start + dt.timedelta(days=1),
        1800,
        project=audit,
        billable=True,
        hourly_rate_cents=6000,
        currency="USD",
    )
    entry(
        workspace,
        member,
        start + dt.timedelta(days=1, hours=2),
        3600,
        project=website,
        billable=False,
        hourly_rate_cents=6000,
        currency="USD",
    )
    return {"website": website, "audit": audit}


def cells(html, row_label):
    row = re.search(rf'<th scope="row">{row_label}</th>(.*?)</tr>', html, re.S).group(1)
    return [
        re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
    ]


def test_filters_narrow_the_week(workspace, owner, owner_client, week):
    query = f"week=2026-03-04&project={week['website'].pk}"
    html = owner_client.get(url(workspace, query)).content.decode()
    assert re.search(r'id="week-total">2:00:00<', html)
    assert f'value="{week["website"].pk}" selected' in html
    # The week links and the exports keep the filter.
    nxt = re.search(r'href="\?([^"]+)" rel="next"', html).group(1)
    assert f"project={week['website'].pk}" in nxt and "week=2026-03-09" in nxt
    rows = export(owner_client, workspace, f"week=2026-03-04&project={week['website'].pk}")
    assert rows[-1][-1] == "2:00:00"
    billable = owner_client.get(url(workspace, "week=2026-03-04&billable=yes")).content.decode()
    assert re.search(r'id="week-total">1:30:00<', billable)


def test_earned_view_shows_billable_amounts(workspace, owner, member, owner_client, week):
    html = owner_client.get(url(workspace, "week=2026-03-04&view=earned")).content.decode()
    assert cells(html, "Olivia Owner")[0] == "100.00 USD"
    mia = cells(html, "Mia Member")
    assert mia[1] == "30.00 USD" and mia[-1] == "30.00 USD"  # the non-billable hour earns nothing
    assert re.search(r'id="week-total">130.00 USD<', html)
    by_project = owner_client.get(
        url(workspace, "week=2026-03-04&view=earned&by=project")
    ).content.decode()
    assert cells(by_project, "Website")[-1] == "100.00 USD"
    assert cells(by_project, "Audit")[-1] == "30.00 USD"


def test_bad_view_and_another_workspaces_project_are_400(
    workspace, owner, owner_client, other_workspace
):
    assert owner_client.get(url(workspace, "view=profit")).status_code == 400
    theirs = ProjectFactory(workspace=other_workspace)
    response = owner_client.get(url(workspace, f"project={theirs.pk}"))
    assert response.status_code == 400 and "There is no project" in response.content.decode()


def test_a_member_filters_only_their_own_time(workspace, owner, member, member_client, week):
    html = member_client.get(url(workspace, "week=2026-03-04&view=earned")).content.decode()
    assert "Olivia Owner" not in html
    assert re.search(r'id="week-total">30.00 USD<', html)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_weekly_filters_and_earned_view_in_a_browser(
    page, live_server, workspace, owner, member, week
):
    from playwright.sync_api import expect

    from tests.browser_session import combobox_pick
    from tests.browser_session import log_in
    from tests.browser_session import screenshot
    from tests.browser_session import screenshots

    log_in(page, live_server, owner, url(workspace, "week=2026-03-04"))
    expect(page.locator("#week-total")).to_have_text("2:30:00")
    page.locator(".weekly-filters summary").click()
    combobox_pick(page, "f-project", "Website")
    page.get_by_label("Show", exact=True).select_option("earned")
    page.get_by_role("button", name="Show", exact=True).click()
    expect(page.locator("#week-total")).to_have_text("100.00 USD")
    expect(page.locator("#filter-summary")).to_contain_text("Projects: Website")
    screenshots(page, "weekly-earned")
    page.locator("#next-week").click()
    expect(page.locator("#no-entries")).to_be_visible()
    expect(page.get_by_label("Show", exact=True)).to_have_value("earned")
    # The Detailed report of the same week draws its bar per day.
    page.goto(
        live_server.url
        + reverse("reports:detailed", kwargs={"ws": workspace.pk})
        + "?start=2026-03-02&end=2026-03-08"
    )
    expect(page.locator("#day-chart")).to_have_class(re.compile("chart--drawn"))
    screenshot(page, "detailed-1280.png")
