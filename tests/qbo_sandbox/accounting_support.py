"""What the in-process tests of the emulator's Accounting operations share."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from qbo_sandbox import rules
from qbo_sandbox.faults import QBOFault
from qbo_sandbox.store import Store


def fault_of(call: Callable[[], Any]) -> QBOFault:
    with pytest.raises(QBOFault) as raised:
        call()
    return raised.value


def project_seed(store: Store, realm: str, parent_id: str, name: str = "Launch") -> dict[str, Any]:
    """A QBO project (a sub-customer with IsProject) under `parent_id`, seeded as Clockify's
    projects arrive from the QuickBooks UI (v3 cannot create one)."""
    project: dict[str, Any] = rules.entity_seed(
        store,
        realm,
        "Customer",
        {"DisplayName": name, "Job": True, "ParentRef": {"value": parent_id}, "IsProject": True},
    )
    return project
