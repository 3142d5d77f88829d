"""The emulator's storage: companies, persistence across a restart, concurrent writers."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from qbo_sandbox import rules
from qbo_sandbox.accounting import Accounting
from qbo_sandbox.faults import QBOFault
from qbo_sandbox.store import Store


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "var" / "sandbox.sqlite3"


@pytest.fixture
def store(path: Path) -> Store:
    return Store(path)


def test_company_create_gives_a_numeric_realm_id_and_the_settings(store: Store) -> None:
    company = store.company_create(
        name="Acme Books", sku="Essentials", payroll=True, book_close_date="2025-12-31"
    )

    assert company["realmId"].isdigit() and len(company["realmId"]) == 16
    assert company["name"] == "Acme Books"
    assert company["sku"] == "Essentials"
    assert company["payroll"] is True
    assert company["book_close_date"] == "2025-12-31"
    assert company["subscription_status"] == "SUBSCRIBED"
    assert store.company_get(company["realmId"]) == company
    assert store.company_get("123") is None


def test_company_defaults_are_plus_without_payroll_or_closing_date(store: Store) -> None:
    company = store.company_create(name="Plain")

    assert (company["sku"], company["payroll"], company["book_close_date"]) == (
        "Plus",
        False,
        None,
    )
    assert company["class_tracking"] is False


@pytest.mark.parametrize(
    "fields",
    [
        {"name": "  "},
        {"name": "X", "sku": "Enterprise"},
        {"name": "X", "book_close_date": "31/12/2025"},
        {"name": "X", "subscription_status": "MAYBE"},
        {"name": "X", "sku": "Essentials", "class_tracking": True},
        {"name": "X", "class_tracking": "yes"},
    ],
)
def test_company_create_refuses_bad_settings_and_saves_nothing(
    store: Store, fields: dict[str, str]
) -> None:
    with pytest.raises(ValueError):
        store.company_create(**fields)  # type: ignore[arg-type]
    assert store.company_list() == []


def test_company_update_changes_the_settings_and_none_clears_the_closing_date(
    store: Store,
) -> None:
    realm = store.company_create(name="Acme", book_close_date="2025-06-30")["realmId"]

    updated = store.company_update(
        realm, sku="Advanced", payroll=True, subscription_status="TRIAL", book_close_date=None
    )

    assert updated["sku"] == "Advanced"
    assert updated["payroll"] is True
    assert updated["subscription_status"] == "TRIAL"
    assert updated["book_close_date"] is None
    with pytest.raises(ValueError):
        store.company_update(realm, colour="blue")
    with pytest.raises(KeyError):
        store.company_update("404", name="Nobody")


def test_company_list_reset_and_delete(store: Store) -> None:
    first = store.company_create(name="First")["realmId"]
    second = store.company_create(name="Second")["realmId"]
    rules.entity_seed(store, first, "Customer", {"DisplayName": "Acme"})
    rules.entity_seed(store, second, "Customer", {"DisplayName": "Acme"})

    assert [c["name"] for c in store.company_list()] == ["First", "Second"]

    store.company_reset(first)
    assert rules.entity_list(store, first, "Customer") == []
    assert len(rules.entity_list(store, second, "Customer")) == 1
    # After a reset ids start again and the name is free again.
    assert rules.entity_seed(store, first, "Customer", {"DisplayName": "Acme"})["Id"] == "1"

    store.company_delete(second)
    assert [c["realmId"] for c in store.company_list()] == [first]
    with pytest.raises(QBOFault):
        rules.entity_list(store, second, "Customer")


def test_data_survives_a_new_store_on_the_same_file(path: Path) -> None:
    store = Store(path)
    realm = store.company_create(name="Durable", book_close_date="2024-12-31")["realmId"]
    customer = Accounting(store).save(realm, "customer", {"DisplayName": "Kept"})["Customer"]
    store.close()

    reopened = Store(path)

    assert reopened.company_get(realm)["book_close_date"] == "2024-12-31"  # type: ignore[index]
    read = Accounting(reopened).read(realm, "customer", customer["Id"])["Customer"]
    assert read == customer
    # The id sequence continues; it does not restart.
    assert Accounting(reopened).save(realm, "customer", {"DisplayName": "Next"})["Customer"][
        "Id"
    ] == str(int(customer["Id"]) + 1)


def test_concurrent_writers_get_distinct_ids_and_the_name_rule_holds(store: Store) -> None:
    realm = store.company_create(name="Busy")["realmId"]
    accounting = Accounting(store)
    created: list[str] = []
    faults: list[str] = []
    lock = threading.Lock()

    def work(n: int) -> None:
        for i in range(5):
            # Two threads try each name: exactly one of them must win it.
            name = f"Customer {(n // 2) * 5 + i}"
            try:
                customer = accounting.save(realm, "customer", {"DisplayName": name})["Customer"]
            except QBOFault as fault:
                with lock:
                    faults.append(fault.code)
            else:
                with lock:
                    created.append(customer["Id"])

    threads = [threading.Thread(target=work, args=(n,)) for n in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(created) == 25
    assert len(set(created)) == 25
    assert faults == ["6240"] * 25
    names = [c["DisplayName"] for c in rules.entity_list(store, realm, "Customer")]
    assert len(names) == len(set(names)) == 25


def test_entity_list_returns_inactive_ones_too(store: Store) -> None:
    realm = store.company_create(name="Lists")["realmId"]
    rules.entity_seed(store, realm, "Employee", {"DisplayName": "Active Annie"})
    rules.entity_seed(store, realm, "Employee", {"DisplayName": "Gone Gary", "Active": False})

    assert [e["DisplayName"] for e in rules.entity_list(store, realm, "employee")] == [
        "Active Annie",
        "Gone Gary",
    ]


def test_entity_seed_creates_a_qbo_project_under_a_customer(store: Store) -> None:
    realm = store.company_create(name="Projects")["realmId"]
    parent = rules.entity_seed(store, realm, "Customer", {"DisplayName": "Acme"})

    project = rules.entity_seed(
        store,
        realm,
        "Customer",
        {
            "DisplayName": "Launch",
            "Job": True,
            "ParentRef": {"value": parent["Id"]},
            "IsProject": True,
        },
    )

    assert project["IsProject"] is True
    assert project["Level"] == 1
    assert project["FullyQualifiedName"] == "Acme:Launch"


def test_entity_seed_refuses_a_project_without_a_parent(store: Store) -> None:
    realm = store.company_create(name="Projects")["realmId"]

    with pytest.raises(QBOFault) as raised:
        rules.entity_seed(store, realm, "Customer", {"DisplayName": "Orphan", "IsProject": True})

    assert raised.value.code == "2020"
    assert rules.entity_list(store, realm, "Customer") == []


def test_an_empty_closing_date_means_none(store: Store) -> None:
    realm = store.company_create(name="Forms", book_close_date="")["realmId"]
    assert store.company_get(realm)["book_close_date"] is None  # type: ignore[index]

    store.company_update(realm, book_close_date="2025-12-31")
    assert store.company_update(realm, book_close_date="")["book_close_date"] is None


def test_another_process_can_write_while_this_one_does(path: Path) -> None:
    """The CLI (another process) may seed while the server writes: both land, ids distinct."""
    import subprocess
    import sys

    store = Store(path)
    realm = store.company_create(name="Shared")["realmId"]
    script = (
        "import sys\n"
        "from qbo_sandbox import rules\n"
        "from qbo_sandbox.store import Store\n"
        "store = Store(sys.argv[1])\n"
        "for n in range(40):\n"
        "    rules.entity_seed(store, sys.argv[2], 'Employee', {'DisplayName': f'CLI {n}'})\n"
    )
    child = subprocess.Popen([sys.executable, "-c", script, str(path), realm])
    for n in range(40):
        rules.entity_seed(store, realm, "Employee", {"DisplayName": f"Server {n}"})
    assert child.wait(timeout=60) == 0

    employees = rules.entity_list(store, realm, "Employee")
    assert len(employees) == 80
    assert len({e["Id"] for e in employees}) == 80


def test_a_project_belongs_to_a_top_level_customer(store: Store) -> None:
    realm = store.company_create(name="Projects")["realmId"]
    top = rules.entity_seed(store, realm, "Customer", {"DisplayName": "Acme"})
    sub = rules.entity_seed(
        store, realm, "Customer", {"DisplayName": "West", "ParentRef": {"value": top["Id"]}}
    )

    with pytest.raises(QBOFault) as raised:
        rules.entity_seed(
            store,
            realm,
            "Customer",
            {"DisplayName": "Launch", "ParentRef": {"value": sub["Id"]}, "IsProject": True},
        )

    assert raised.value.code == "6000"
    assert sub["Job"] is True and sub["Level"] == 1


def test_a_file_from_before_classes_gets_class_tracking_off(path: Path) -> None:
    path.parent.mkdir(parents=True)
    old = sqlite3.connect(path)
    old.executescript(
        "CREATE TABLE company (realm_id TEXT PRIMARY KEY, name TEXT NOT NULL, sku TEXT NOT NULL,"
        " payroll INTEGER NOT NULL, book_close_date TEXT, subscription_status TEXT NOT NULL,"
        " created_at TEXT NOT NULL);"
        "INSERT INTO company VALUES ('1', 'Old Co', 'Plus', 0, NULL, 'SUBSCRIBED', 'x');"
    )
    old.commit()
    old.close()
    store = Store(path)
    assert store.company_get("1")["class_tracking"] is False  # type: ignore[index]
    assert store.company_update("1", class_tracking=True)["class_tracking"] is True
