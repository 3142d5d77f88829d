"""Pages for clients, projects (members, rates, tasks) and tags.

Every view is under /w/<ws>/ and decorated with `workspace_view`: an outsider gets a 404, a
member a 403 on any write. Writes go through tracking/services/catalog.py; its errors come back
as form errors next to the field (status 400) or, for row actions, as a message.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from typing import Protocol
from typing import TypeVar
from typing import cast

from django.contrib import messages
from django.db.models import Model
from django.http import Http404
from django.http import HttpRequest
from django.http import HttpResponse
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.shortcuts import redirect
from django.shortcuts import render
from django.urls import NoReverseMatch
from django.urls import reverse
from django.views.decorators.http import require_GET
from django.views.decorators.http import require_POST

from tracking.forms_catalog import ClientForm
from tracking.forms_catalog import ProjectForm
from tracking.forms_catalog import ProjectMemberAddForm
from tracking.forms_catalog import ProjectMemberRateForm
from tracking.forms_catalog import TagForm
from tracking.forms_catalog import TaskForm
from tracking.forms_catalog import cents_to_amount
from tracking.models import Client
from tracking.models import Project
from tracking.models import Tag
from tracking.models import Task
from tracking.selectors.catalog import CatalogFilters
from tracking.selectors.catalog import assignable_users
from tracking.selectors.catalog import client_list
from tracking.selectors.catalog import project_get
from tracking.selectors.catalog import project_list
from tracking.selectors.catalog import project_members
from tracking.selectors.catalog import project_tasks
from tracking.selectors.catalog import tag_list
from tracking.services import catalog as services
from tracking.views.redirects import redirect_back
from workspaces.access import WorkspaceRequest
from workspaces.access import workspace_view
from workspaces.errors import ApplicationError
from workspaces.models import Membership
from workspaces.models import User
from workspaces.models import Workspace
from workspaces.services import membership_may_set_rate

ADMIN = Membership.Role.ADMIN


def _action(
    request: HttpRequest, default: str, do: Callable[[], Any], success: str
) -> HttpResponseRedirect:
    """Run a row action (archive, delete, ...) and report the outcome as a message."""
    try:
        do()
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, success)
    return redirect_back(request, default)


class _ServiceForm(Protocol):
    cleaned_data: dict[str, Any]

    def is_valid(self) -> bool: ...

    def add_service_error(self, error: ApplicationError) -> None: ...


Saved = TypeVar("Saved", bound=Model)


def _saved(
    request: HttpRequest,
    form: _ServiceForm,
    save: Callable[[dict[str, Any]], Saved],
    success: Callable[[Saved], str],
) -> Saved | None:
    """A form's POST: a valid form's data goes to `save` (the service call), whose refusal
    lands on the form. The saved object, with the message `success(obj)`; None when the page
    shows the form again (status 400)."""
    if not form.is_valid():
        return None
    try:
        obj = save(form.cleaned_data)
    except ApplicationError as exc:
        form.add_service_error(exc)
        return None
    messages.success(request, success(obj))
    return obj


def _hours(seconds: int | None) -> str:
    seconds = seconds or 0
    return f"{seconds // 3600}:{(seconds % 3600) // 60:02d}"


def _money(cents: int | None, currency: str) -> str:
    return "" if cents is None else f"{Decimal(cents) / 100:,.2f} {currency}"


def _reapply_url(ws: Workspace) -> str | None:
    """The entries area's re-rating action; None while that URL does not exist, so the page
    still renders without the "apply to past entries" buttons."""
    try:
        return reverse("tracking:rates_reapply", kwargs={"ws": ws.pk})
    except NoReverseMatch:
        return None


def _next_url(request: HttpRequest) -> str:
    """Where a form on this page should return to: the page as the user saw it (with its
    filters), also when the page is re-rendered after a failed POST."""
    if request.method == "POST":
        return request.POST.get("next", "")
    return request.get_full_path()


def _bool_arg(request: HttpRequest, name: str) -> bool:
    return request.POST.get(name, "") in ("1", "true", "on", "yes")


# --- clients and tags: two simple named lists --------------------------------------------------


@dataclass(frozen=True)
class _NamedKind:
    """What differs between the clients page and the tags page; the views and the template
    (tracking/catalog/_named_list.html) are shared."""

    noun: str  # "client": url names tracking:<noun>_create, ... and element ids
    plural: str  # "clients": the list's url name and its context key
    title: str
    edit_label: str
    model: type[Client] | type[Tag]
    form: type[ClientForm] | type[TagForm]
    rows: Callable[[WorkspaceRequest, CatalogFilters], Iterable[Any]]
    initial: Callable[[Any], dict[str, Any]]
    create: Callable[[Membership, dict[str, Any]], Any]
    update: Callable[[Membership, Any, dict[str, Any]], Any]
    delete: Callable[[Membership, Any], Any]

    def url(self, action: str) -> str:
        return f"tracking:{self.noun}_{action}"

    def list_url(self, request: WorkspaceRequest) -> str:
        return reverse(f"tracking:{self.plural}", kwargs={"ws": request.workspace.pk})

    def make_form(self, *args: Any, pk: str | None = None, **kwargs: Any) -> Any:
        kwargs["auto_id"] = f"{self.noun}-{pk}-%s" if pk else f"new-{self.noun}-%s"
        return self.form(*args, **kwargs)

    def get_or_404(self, request: WorkspaceRequest, pk: str) -> Client | Tag:
        return cast(Client | Tag, get_object_or_404(self.model, workspace=request.workspace, pk=pk))


CLIENTS = _NamedKind(
    noun="client",
    plural="clients",
    title="Clients",
    edit_label="Edit",
    model=Client,
    form=ClientForm,
    rows=lambda request, filters: client_list(membership=request.membership, filters=filters),
    initial=lambda c: {"name": c.name, "note": c.note},
    create=lambda actor, data: services.client_create(
        actor=actor, name=data["name"], note=data["note"]
    ),
    update=lambda actor, c, data: services.client_update(
        actor=actor, client=c, name=data["name"], note=data["note"]
    ),
    delete=lambda actor, c: services.client_delete(actor=actor, client=c),
)
TAGS = _NamedKind(
    noun="tag",
    plural="tags",
    title="Tags",
    edit_label="Rename",
    model=Tag,
    form=TagForm,
    rows=lambda request, filters: tag_list(workspace_id=request.workspace.pk, filters=filters),
    initial=lambda t: {"name": t.name},
    create=lambda actor, data: services.tag_create(actor=actor, name=data["name"]),
    update=lambda actor, t, data: services.tag_update(actor=actor, tag=t, name=data["name"]),
    delete=lambda actor, t: services.tag_delete(actor=actor, tag=t),
)


def _named_page(
    request: WorkspaceRequest,
    kind: _NamedKind,
    *,
    create_form: ClientForm | TagForm | None = None,
    edit_form: ClientForm | TagForm | None = None,
    edit_pk: str | None = None,
    status: int = 200,
) -> HttpResponse:
    filters = CatalogFilters.from_query(request.GET)
    rows = list(kind.rows(request, filters))
    for row in rows:
        if row.pk == edit_pk and edit_form is not None:
            row.form = edit_form
        else:
            row.form = kind.make_form(initial=kind.initial(row), pk=row.pk)
    return render(
        request,
        f"tracking/catalog/{kind.plural}.html",
        {
            "nav": kind.plural,
            "kind": {
                "noun": kind.noun,
                "plural": kind.plural,
                "title": kind.title,
                "edit_label": kind.edit_label,
                "list_url": f"tracking:{kind.plural}",
                **{f"{a}_url": kind.url(a) for a in ("create", "update", "archive", "delete")},
            },
            "filters": filters,
            "rows": rows,
            kind.plural: rows,
            "edit_pk": edit_pk,
            "create_form": create_form or kind.make_form(),
            "is_admin": request.membership.is_admin,
            "next_url": _next_url(request),
        },
        status=status,
    )


def _named_create(request: WorkspaceRequest, kind: _NamedKind) -> HttpResponse:
    form = kind.make_form(request.POST)
    if _saved(
        request,
        form,
        lambda data: kind.create(request.membership, data),
        lambda obj: f"{kind.noun.capitalize()} “{obj.name}” created.",
    ):
        return redirect_back(request, kind.list_url(request))
    return _named_page(request, kind, create_form=form, status=400)


def _named_update(request: WorkspaceRequest, kind: _NamedKind, pk: str) -> HttpResponse:
    obj = kind.get_or_404(request, pk)
    form = kind.make_form(request.POST, pk=obj.pk)
    if _saved(
        request,
        form,
        lambda data: kind.update(request.membership, obj, data),
        lambda saved: f"{kind.noun.capitalize()} “{saved.name}” saved.",
    ):
        return redirect_back(request, kind.list_url(request))
    return _named_page(request, kind, edit_form=form, edit_pk=obj.pk, status=400)


def _named_delete(request: WorkspaceRequest, kind: _NamedKind, pk: str) -> HttpResponse:
    obj = kind.get_or_404(request, pk)
    return _action(
        request,
        kind.list_url(request),
        lambda: kind.delete(request.membership, obj),
        f"{kind.noun.capitalize()} “{obj.name}” deleted.",
    )


View = Callable[..., HttpResponse]


def _named_views(kind: _NamedKind) -> tuple[View, View, View, View]:
    """The page, create, update and delete views of clients or tags (archiving differs)."""

    @workspace_view()
    @require_GET
    def page(request: WorkspaceRequest) -> HttpResponse:
        return _named_page(request, kind)

    @workspace_view(ADMIN)
    @require_POST
    def create(request: WorkspaceRequest) -> HttpResponse:
        return _named_create(request, kind)

    @workspace_view(ADMIN)
    @require_POST
    def update(request: WorkspaceRequest, pk: str) -> HttpResponse:
        return _named_update(request, kind, pk)

    @workspace_view(ADMIN)
    @require_POST
    def delete(request: WorkspaceRequest, pk: str) -> HttpResponse:
        return _named_delete(request, kind, pk)

    views = {kind.plural: page}
    views.update({f"{kind.noun}_{view.__name__}": view for view in (create, update, delete)})
    for name, view in views.items():  # their own names in tracebacks, logs and resolve()
        view.__name__ = view.__qualname__ = name
    return page, create, update, delete


clients, client_create, client_update, client_delete = _named_views(CLIENTS)
tags, tag_create, tag_update, tag_delete = _named_views(TAGS)


@workspace_view(ADMIN)
@require_POST
def client_archive(request: WorkspaceRequest, pk: str) -> HttpResponse:
    client = get_object_or_404(Client, workspace=request.workspace, pk=pk)
    archived = _bool_arg(request, "archived")
    include_projects = _bool_arg(request, "include_projects")
    verb = "archived" if archived else "restored"
    return _action(
        request,
        CLIENTS.list_url(request),
        lambda: services.client_archive(
            actor=request.membership,
            client=client,
            archived=archived,
            include_projects=include_projects,
        ),
        f"Client “{client.name}” {verb}{' with its projects' if include_projects else ''}.",
    )


@workspace_view(ADMIN)
@require_POST
def tag_archive(request: WorkspaceRequest, pk: str) -> HttpResponse:
    tag = get_object_or_404(Tag, workspace=request.workspace, pk=pk)
    archived = _bool_arg(request, "archived")
    return _action(
        request,
        TAGS.list_url(request),
        lambda: services.tag_archive(actor=request.membership, tag=tag, archived=archived),
        f"Tag “{tag.name}” {'archived' if archived else 'restored'}.",
    )


# --- projects -----------------------------------------------------------------------------


def _projects_page(
    request: WorkspaceRequest, *, create_form: ProjectForm | None = None, status: int = 200
) -> HttpResponse:
    ws = request.workspace
    filters = CatalogFilters.from_query(request.GET)
    rows = list(project_list(membership=request.membership, filters=filters))
    for p in rows:
        p.tracked_display = _hours(p.tracked_seconds)  # type: ignore[attr-defined]
        p.rate_display = _money(p.hourly_rate_cents, ws.currency)  # type: ignore[attr-defined]
    return render(
        request,
        "tracking/catalog/projects.html",
        {
            "nav": "projects",
            "filters": filters,
            "projects": rows,
            "all_clients": Client.objects.filter(workspace=ws).order_by("name"),
            "create_form": create_form or ProjectForm(workspace_id=ws.pk, auto_id="new-project-%s"),
            "create_open": create_form is not None,
            "is_admin": request.membership.is_admin,
            "next_url": _next_url(request),
        },
        status=status,
    )


@workspace_view()
@require_GET
def projects(request: WorkspaceRequest) -> HttpResponse:
    return _projects_page(request)


def _detail_form_post(
    request: WorkspaceRequest,
    project: Project,
    form: _ServiceForm,
    save: Callable[[dict[str, Any]], Saved],
    success: Callable[[Saved], str],
    **page_forms: Any,
) -> HttpResponse:
    """A project page form's POST (`_saved`): saved, back to the page with the message; else
    the page again, status 400, with the form where `page_forms` put it (its `_detail_page`
    argument) and the project as stored (a refused save may have changed the instance)."""
    if _saved(request, form, save, success):
        return redirect(_detail_url(request, project))
    project.refresh_from_db()
    return _detail_page(request, project, status=400, **page_forms)


def _project_kwargs(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": data["name"],
        "client": data["client"],
        "color": data["color"],
        "billable": data["billable"],
        "hourly_rate_cents": data["hourly_rate"],
        "is_public": data["visibility"] == "public",
        "note": data["note"],
    }


@workspace_view(ADMIN)
@require_POST
def project_create(request: WorkspaceRequest) -> HttpResponse:
    ws = request.workspace
    form = ProjectForm(request.POST, workspace_id=ws.pk, auto_id="new-project-%s")
    project = _saved(
        request,
        form,
        lambda data: services.project_create(actor=request.membership, **_project_kwargs(data)),
        lambda project: f"Project “{project.name}” created.",
    )
    if project:
        return redirect("tracking:project_detail", ws=ws.pk, pk=project.pk)
    return _projects_page(request, create_form=form, status=400)


def _detail_page(
    request: WorkspaceRequest,
    project: Project,
    *,
    settings_form: ProjectForm | None = None,
    member_form: ProjectMemberAddForm | None = None,
    task_form: TaskForm | None = None,
    rate_forms: dict[str, ProjectMemberRateForm] | None = None,
    task_edit_forms: dict[str, TaskForm] | None = None,
    status: int = 200,
) -> HttpResponse:
    ws = request.workspace
    is_admin = request.membership.is_admin
    members = list(project_members(project=project))
    tasks = list(project_tasks(project=project))
    rate_forms = rate_forms or {}
    task_edit_forms = task_edit_forms or {}
    for pm in members:
        pm.rate_display = _money(pm.hourly_rate_cents, ws.currency)  # type: ignore[attr-defined]
        pm.form = rate_forms.get(pm.user_id) or ProjectMemberRateForm(  # type: ignore[attr-defined]
            initial={"hourly_rate": cents_to_amount(pm.hourly_rate_cents)},
            auto_id=f"pm-{pm.user_id}-%s",
        )
        pm.form_open = pm.user_id in rate_forms  # type: ignore[attr-defined]
        pm.rate_editable = membership_may_set_rate(  # type: ignore[attr-defined]
            actor=request.membership,
            user_id=pm.user_id,
            role=pm.workspace_role,  # type: ignore[attr-defined]
        )
    assignable = list(assignable_users(project=project))
    for t in tasks:
        t.rate_display = _money(t.hourly_rate_cents, ws.currency)  # type: ignore[attr-defined]
        if is_admin:
            t.form = task_edit_forms.get(t.pk) or TaskForm(  # type: ignore[attr-defined]
                initial={
                    "name": t.name,
                    "status": t.status,
                    "hourly_rate": cents_to_amount(t.hourly_rate_cents),
                    "assignees": [u.pk for u in t.assignees.all()],
                },
                assignable=assignable,
                auto_id=f"task-{t.pk}-%s",
            )
            t.form_open = t.pk in task_edit_forms  # type: ignore[attr-defined]
    context = {
        "nav": "projects",
        "project": project,
        "project_rate_display": _money(project.hourly_rate_cents, ws.currency),
        "members": members,
        "tasks": tasks,
        "is_admin": is_admin,
        "next_url": _detail_url(request, project),
        "reapply_url": _reapply_url(ws),
        "settings_open": settings_form is not None,
        "settings_form": settings_form
        or ProjectForm(
            initial={
                "name": project.name,
                "client": project.client_id,
                "color": project.color,
                "billable": project.billable,
                "hourly_rate": cents_to_amount(project.hourly_rate_cents),
                "visibility": "public" if project.is_public else "private",
                "note": project.note,
            },
            workspace_id=ws.pk,
            current_client_id=project.client_id,
            auto_id="project-%s",
        ),
        "member_form": member_form
        or ProjectMemberAddForm(
            workspace_id=ws.pk, exclude_ids=[pm.user_id for pm in members], auto_id="add-pm-%s"
        ),
        "task_form": task_form
        or TaskForm(assignable=assignable, with_status=False, auto_id="new-task-%s"),
    }
    return render(request, "tracking/catalog/project_detail.html", context, status=status)


def _project_or_404(request: WorkspaceRequest, pk: str) -> Project:
    project = project_get(membership=request.membership, pk=pk)
    if project is None:
        raise Http404("Project not found.")
    return project


def _detail_url(request: WorkspaceRequest, project: Project) -> str:
    return reverse("tracking:project_detail", kwargs={"ws": request.workspace.pk, "pk": project.pk})


@workspace_view()
@require_GET
def project_detail(request: WorkspaceRequest, pk: str) -> HttpResponse:
    return _detail_page(request, _project_or_404(request, pk))


@workspace_view(ADMIN)
@require_POST
def project_update(request: WorkspaceRequest, pk: str) -> HttpResponse:
    project = _project_or_404(request, pk)
    form = ProjectForm(
        request.POST,
        workspace_id=request.workspace.pk,
        current_client_id=project.client_id,
        auto_id="project-%s",
    )
    return _detail_form_post(
        request,
        project,
        form,
        lambda data: services.project_update(
            actor=request.membership, project=project, **_project_kwargs(data)
        ),
        lambda _: "Project settings saved. New rates apply to new entries.",
        settings_form=form,
    )


@workspace_view(ADMIN)
@require_POST
def project_archive(request: WorkspaceRequest, pk: str) -> HttpResponse:
    project = _project_or_404(request, pk)
    archived = _bool_arg(request, "archived")
    return _action(
        request,
        _detail_url(request, project),
        lambda: services.project_archive(
            actor=request.membership, project=project, archived=archived
        ),
        f"Project “{project.name}” {'archived' if archived else 'restored'}.",
    )


@workspace_view(ADMIN)
@require_POST
def project_delete(request: WorkspaceRequest, pk: str) -> HttpResponse:
    project = _project_or_404(request, pk)
    try:
        services.project_delete(actor=request.membership, project=project)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect(_detail_url(request, project))
    messages.success(request, f"Project “{project.name}” deleted.")
    return redirect("tracking:projects", ws=request.workspace.pk)


# --- project members ------------------------------------------------------------------------


def _workspace_user_or_404(request: WorkspaceRequest, user_id: str) -> User:
    """A user who is (or was) in this workspace; anyone else does not exist here."""
    return get_object_or_404(User, pk=user_id, memberships__workspace=request.workspace)


@workspace_view(ADMIN)
@require_POST
def project_member_add(request: WorkspaceRequest, pk: str) -> HttpResponse:
    project = _project_or_404(request, pk)
    form = ProjectMemberAddForm(
        request.POST, workspace_id=request.workspace.pk, auto_id="add-pm-%s"
    )
    return _detail_form_post(
        request,
        project,
        form,
        lambda data: services.project_member_add(
            actor=request.membership,
            project=project,
            user=data["user"],
            hourly_rate_cents=data["hourly_rate"],
        ),
        lambda pm: f"{pm.user.full_name} added to the project.",
        member_form=form,
    )


@workspace_view(ADMIN)
@require_POST
def project_member_remove(request: WorkspaceRequest, pk: str, user_id: str) -> HttpResponse:
    project = _project_or_404(request, pk)
    user = _workspace_user_or_404(request, user_id)
    return _action(
        request,
        _detail_url(request, project),
        lambda: services.project_member_remove(
            actor=request.membership, project=project, user=user
        ),
        f"{user.full_name} removed from the project; their entries are kept.",
    )


@workspace_view(ADMIN)
@require_POST
def project_member_rate(request: WorkspaceRequest, pk: str, user_id: str) -> HttpResponse:
    project = _project_or_404(request, pk)
    user = _workspace_user_or_404(request, user_id)
    form = ProjectMemberRateForm(request.POST, auto_id=f"pm-{user.pk}-%s")
    if form.is_valid():
        try:
            services.project_member_set_rate(
                actor=request.membership,
                project=project,
                user=user,
                hourly_rate_cents=form.cleaned_data["hourly_rate"],
            )
        except ApplicationError as exc:
            if exc.status == 404:
                raise Http404(exc.message) from exc
            form.add_service_error(exc)
        else:
            messages.success(
                request, f"{user.full_name}'s project rate saved; it applies to new entries."
            )
            return redirect(_detail_url(request, project))
    return _detail_page(request, project, rate_forms={user.pk: form}, status=400)


# --- tasks --------------------------------------------------------------------------------


def _task_or_404(request: WorkspaceRequest, project: Project, task_id: str) -> Task:
    return get_object_or_404(Task, workspace=request.workspace, project=project, pk=task_id)


def _task_kwargs(data: dict[str, Any]) -> dict[str, Any]:
    """A TaskForm's data as the task services' arguments (the new-task form has no status)."""
    kwargs = {
        "name": data["name"],
        "hourly_rate_cents": data["hourly_rate"],
        "assignees": data["assignees"],
    }
    return kwargs | ({"status": data["status"]} if "status" in data else {})


@workspace_view(ADMIN)
@require_POST
def task_create(request: WorkspaceRequest, pk: str) -> HttpResponse:
    project = _project_or_404(request, pk)
    form = TaskForm(
        request.POST,
        assignable=list(assignable_users(project=project)),
        with_status=False,
        auto_id="new-task-%s",
    )
    return _detail_form_post(
        request,
        project,
        form,
        lambda data: services.task_create(
            actor=request.membership, project=project, **_task_kwargs(data)
        ),
        lambda task: f"Task “{task.name}” added.",
        task_form=form,
    )


@workspace_view(ADMIN)
@require_POST
def task_update(request: WorkspaceRequest, pk: str, task_id: str) -> HttpResponse:
    project = _project_or_404(request, pk)
    task = _task_or_404(request, project, task_id)
    form = TaskForm(
        request.POST,
        assignable=list(assignable_users(project=project)),
        auto_id=f"task-{task.pk}-%s",
    )
    return _detail_form_post(
        request,
        project,
        form,
        lambda data: services.task_update(
            actor=request.membership, task=task, **_task_kwargs(data)
        ),
        lambda saved: f"Task “{saved.name}” saved.",
        task_edit_forms={task.pk: form},
    )


@workspace_view(ADMIN)
@require_POST
def task_status(request: WorkspaceRequest, pk: str, task_id: str) -> HttpResponse:
    """The one-click "mark done" / "mark active" of a task row."""
    project = _project_or_404(request, pk)
    task = _task_or_404(request, project, task_id)
    status = Task.Status.DONE if _bool_arg(request, "done") else Task.Status.ACTIVE
    return _action(
        request,
        _detail_url(request, project),
        lambda: services.task_update(
            actor=request.membership,
            task=task,
            name=task.name,
            status=status,
            hourly_rate_cents=task.hourly_rate_cents,
            assignees=list(task.assignees.all()),
        ),
        f"Task “{task.name}” marked {Task.Status(status).label.lower()}.",
    )


@workspace_view(ADMIN)
@require_POST
def task_delete(request: WorkspaceRequest, pk: str, task_id: str) -> HttpResponse:
    project = _project_or_404(request, pk)
    task = _task_or_404(request, project, task_id)
    return _action(
        request,
        _detail_url(request, project),
        lambda: services.task_delete(actor=request.membership, task=task),
        f"Task “{task.name}” deleted.",
    )
