"""The QuickBooks Online integration's records, one module per feature: the connection, what a
sync links, what a send records (its outbox and ledger), and the send schedule with its runs.
Django loads the models from here."""

from quickbooks_sync.models.billing import ProjectBilling
from quickbooks_sync.models.billing import TaskBilling
from quickbooks_sync.models.changes import ChangeCheck
from quickbooks_sync.models.connection import QBOConnection
from quickbooks_sync.models.schedule import ScheduledSend
from quickbooks_sync.models.schedule import SendSchedule
from quickbooks_sync.models.send import SendBatch
from quickbooks_sync.models.send import SendItem
from quickbooks_sync.models.send import SendJob
from quickbooks_sync.models.send import SentEntry
from quickbooks_sync.models.send import SentVersion
from quickbooks_sync.models.sync import CustomerLink
from quickbooks_sync.models.sync import EmployeeLink
from quickbooks_sync.models.sync import SyncJob

__all__ = [
    "ChangeCheck",
    "CustomerLink",
    "EmployeeLink",
    "ProjectBilling",
    "QBOConnection",
    "ScheduledSend",
    "SendBatch",
    "SendItem",
    "SendJob",
    "SendSchedule",
    "SentEntry",
    "SentVersion",
    "SyncJob",
    "TaskBilling",
]
