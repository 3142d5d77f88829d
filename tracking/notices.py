"""Notices other apps attach to time entries (shown in the edit forms and before a delete),
without tracking importing them: an app registers a provider in its AppConfig.ready().

    register_entry_notice_provider(provider)   # provider(entry_ids) -> {entry_id: [notice]}
    attach_entry_notices(entries)              # sets entry.notices on each, one call per provider

A provider answers for many entries at once (one query for a whole list, not one per row).
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass

from tracking.models import TimeEntry


@dataclass(frozen=True)
class EntryNotice:
    text: str  # shown in the entry's edit form
    on_delete: str = ""  # added to the question asked before deleting it ("" for none)


EntryNoticeProvider = Callable[[Sequence[str]], Mapping[str, Sequence[EntryNotice]]]

_providers: list[EntryNoticeProvider] = []


def register_entry_notice_provider(provider: EntryNoticeProvider) -> None:
    if provider not in _providers:
        _providers.append(provider)


def attach_entry_notices(entries: Iterable[TimeEntry]) -> None:
    """Set `notices` (a list of EntryNotice) and `delete_warning` (text, maybe "") on each."""
    rows = list(entries)
    ids = [entry.pk for entry in rows]
    found: dict[str, list[EntryNotice]] = {}
    if ids:
        for provider in _providers:
            for entry_id, notices in provider(ids).items():
                found.setdefault(entry_id, []).extend(notices)
    for entry in rows:
        notices = found.get(entry.pk, [])
        entry.notices = notices  # type: ignore[attr-defined]
        entry.delete_warning = " ".join(n.on_delete for n in notices if n.on_delete)  # type: ignore[attr-defined]
