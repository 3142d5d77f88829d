"""Control characters in text that people type, paste or send through the API.

C0 control characters (U+0000-U+001F: ESC, \\x01, ...) are invisible, break spreadsheets
(openpyxl refuses them), terminals and QuickBooks, and never belong in a name. The rule, applied
by every service that stores text:

- Names (workspace, people, clients, projects, tasks, tags, API keys) are one line: any C0
  character is refused with a message naming it (`text_refuse_controls`). Tab and line breaks
  are whitespace there and the services fold or strip them first, as they always did.
- Descriptions and notes are often pasted: their control characters are dropped
  (`text_strip_controls`), keeping tab and line feed where the field allows more than one line
  (a CR of a Windows line break goes, its LF stays).
- What was stored before this rule (or by any other way in) is made safe where it leaves:
  `text_for_export` drops the characters spreadsheets refuse, so an export never fails on them.
"""

from __future__ import annotations

import re

from workspaces.errors import ApplicationError

_C0 = re.compile(r"[\x00-\x1f]")
_C0_BUT_TAB_LF = re.compile(r"[\x00-\x08\x0b-\x1f]")
# What the XLSX format (XML 1.0) cannot hold: C0 except tab, LF and CR (openpyxl's own set).
_NOT_IN_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _describe(char: str) -> str:
    names = {"\t": "a tab", "\n": "a line break", "\r": "a line break", "\x1b": "an escape"}
    return names.get(char, "a control character") + f" (U+{ord(char):04X})"


def text_refuse_controls(value: str, *, field: str, label: str) -> str:
    """`value` unchanged, or an ApplicationError on `field` when it holds a C0 character."""
    found = _C0.search(value)
    if found is not None:
        raise ApplicationError(
            f"The {label} contains {_describe(found.group())}, an invisible character that "
            "cannot be stored: type it again without it.",
            field=field,
        )
    return value


def text_strip_controls(value: str, *, multiline: bool) -> str:
    """`value` without C0 characters; a `multiline` field keeps tab and line feed."""
    if multiline:
        return _C0_BUT_TAB_LF.sub("", value.replace("\r\n", "\n"))
    return _C0.sub("", value)


def text_for_export(value: str) -> str:
    """`value` without the characters a spreadsheet cannot hold (tab and line breaks stay)."""
    return _NOT_IN_XML.sub("", value)
