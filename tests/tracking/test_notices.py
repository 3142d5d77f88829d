"""tracking.notices: the extension point other apps use to put notices on entries (the
QuickBooks send registers "sent; changed since sent"), one provider call for a whole list."""

from __future__ import annotations

from collections.abc import Iterator
from collections.abc import Sequence

import pytest

from tests.tracking.factories import TimeEntryFactory
from tracking import notices
from tracking.notices import EntryNotice
from tracking.notices import attach_entry_notices
from tracking.notices import register_entry_notice_provider


@pytest.fixture
def providers() -> Iterator[list]:
    saved = list(notices._providers)
    notices._providers.clear()
    yield notices._providers
    notices._providers[:] = saved


def test_providers_are_asked_once_per_list_and_their_notices_attached(
    db, providers, workspace, member
):
    first, second, third = (TimeEntryFactory(workspace=workspace, user=member) for _ in range(3))
    calls: list[list[str]] = []

    def sent(ids: Sequence[str]) -> dict[str, list[EntryNotice]]:
        calls.append(list(ids))
        return {first.pk: [EntryNotice("Sent.", on_delete="It stays there.")]}

    def other(ids: Sequence[str]) -> dict[str, list[EntryNotice]]:
        return {first.pk: [EntryNotice("Approved.")], second.pk: [EntryNotice("Flagged.")]}

    register_entry_notice_provider(sent)
    register_entry_notice_provider(sent)  # registered once
    register_entry_notice_provider(other)
    attach_entry_notices([first, second, third])
    assert calls == [[first.pk, second.pk, third.pk]]
    assert [n.text for n in first.notices] == ["Sent.", "Approved."]
    assert first.delete_warning == "It stays there."
    assert [n.text for n in second.notices] == ["Flagged."] and second.delete_warning == ""
    assert third.notices == [] and third.delete_warning == ""

    attach_entry_notices([])  # no entries: no provider call
    assert len(calls) == 1


def test_the_quickbooks_app_registers_its_provider():
    from quickbooks_sync.selectors.send import sent_entry_notices

    assert sent_entry_notices in notices._providers
