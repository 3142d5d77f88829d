"""Deleting entries that were sent to QuickBooks asks first and says QuickBooks keeps them: the
single Delete and "Delete selected" in the tracker (the seed: changes here are not reflected in
QuickBooks)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from quickbooks_sync.models import SentEntry
from tests.browser_session import log_in
from tests.quickbooks_sync.send_helpers import ledger_row
from tests.tracking.factories import TimeEntryFactory
from tracking.models import TimeEntry

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_bulk_delete_says_how_many_selected_entries_were_sent(page, live_server, workspace, admin):
    start = timezone.now().replace(microsecond=0) - dt.timedelta(hours=3)
    sent, _never_sent = (
        TimeEntryFactory.create(
            workspace=workspace,
            user=admin,
            description=name,
            start=start + dt.timedelta(minutes=30 * i),
            end=start + dt.timedelta(minutes=30 * i + 20),
        )
        for i, name in enumerate(["Sent one", "Never sent"])
    )
    ledger_row(sent, realm_id="9130", activity_id="77")
    log_in(page, live_server, admin, reverse("tracking:tracker", kwargs={"ws": workspace.pk}))

    questions: list[str] = []

    def answer(dialog) -> None:
        questions.append(dialog.message)
        dialog.dismiss() if len(questions) == 1 else dialog.accept()

    page.on("dialog", answer)
    page.get_by_label("Select Never sent").check()
    page.get_by_role("button", name="Delete selected").click()
    assert "sent to QuickBooks" not in questions[0]  # dismissed: nothing deleted
    assert TimeEntry.objects.count() == 2

    page.get_by_label("Select Sent one").check()
    page.get_by_role("button", name="Delete selected").click()
    expect(page.get_by_text("Never sent")).to_have_count(0)
    assert "1 of them was sent to QuickBooks" in questions[1]
    assert "QuickBooks keeps the values sent" in questions[1]
    assert not TimeEntry.objects.exists()
    assert SentEntry.objects.get().time_entry is None  # the record of what QuickBooks holds stays
