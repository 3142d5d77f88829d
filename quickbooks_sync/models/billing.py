"""Where time is billed in QuickBooks, per project and per task: the class (ClassRef, when the
company tracks classes) and the service item (ItemRef) a TimeActivity carries. The workspace's
defaults sit on the connection (QBOConnection.service_item_*, default_class_*); a TimeActivity
carries the most specific that is set: the task's item, else the project's, else the default;
the project's class, else the default."""

from __future__ import annotations

from django.db import models

from tracking.models import Project
from tracking.models import Task
from workspaces.ids import ObjectIdField
from workspaces.models import Workspace


class ProjectBilling(models.Model):
    id = ObjectIdField()
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    project = models.OneToOneField(Project, on_delete=models.CASCADE, related_name="qbo_billing")
    class_id = models.CharField(max_length=32, blank=True)
    class_name = models.CharField(max_length=255, blank=True)
    item_id = models.CharField(max_length=32, blank=True)
    item_name = models.CharField(max_length=255, blank=True)

    def __str__(self) -> str:
        return f"{self.project_id}: class {self.class_id or '-'}, item {self.item_id or '-'}"


class TaskBilling(models.Model):
    id = ObjectIdField()
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    task = models.OneToOneField(Task, on_delete=models.CASCADE, related_name="qbo_billing")
    item_id = models.CharField(max_length=32, blank=True)
    item_name = models.CharField(max_length=255, blank=True)

    def __str__(self) -> str:
        return f"{self.task_id}: item {self.item_id or '-'}"
