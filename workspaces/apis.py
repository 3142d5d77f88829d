"""REST API (Clockify v1 dialect) for people and workspaces: the current user, workspaces, a
workspace's users and inviting one. Business rules stay in services/selectors; these views
parse, call, and present.

Who sees what (the issue left it open): every member may list the workspace's people (names and
e-mails appear in pickers anyway), but other people's memberships (role, status, hourly rate)
are shown to admins and the owner only; a member sees their own. Rates are for admins and the
owner (as on the pages and the catalog API): a member gets `hourlyRate: null` everywhere, their
own membership's and the workspace's default included.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from drf_spectacular.utils import extend_schema
from drf_spectacular.utils import extend_schema_view
from rest_framework import serializers
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from workspaces.errors import ApplicationError
from workspaces.errors import NotFound
from workspaces.models import Membership
from workspaces.models import User
from workspaces.models import Workspace
from workspaces.rest.base import WorkspaceApiView
from workspaces.rest.base import validated
from workspaces.rest.fields import BodySerializer
from workspaces.rest.fields import ClearableMoneyInputSerializer
from workspaces.rest.fields import MoneySerializer
from workspaces.rest.fields import StrictBooleanField
from workspaces.rest.fields import StrictCharField
from workspaces.rest.fields import money
from workspaces.rest.pagination import page_parameters
from workspaces.rest.pagination import paginate
from workspaces.rest.pagination import paginated_response
from workspaces.rest.params import text_param
from workspaces.rest.permissions import IsWorkspaceAdmin
from workspaces.selectors import team_member_list
from workspaces.services import invitation_create
from workspaces.services import membership_contractor_set
from workspaces.services import membership_deactivate
from workspaces.services import membership_rate_update
from workspaces.services import membership_reactivate

WEEK_START = {
    User.WeekStart.MONDAY: "MONDAY",
    User.WeekStart.SUNDAY: "SUNDAY",
    User.WeekStart.SATURDAY: "SATURDAY",
}
DATE_FORMAT = {
    User.DateFormat.ISO: "YYYY-MM-DD",
    User.DateFormat.US: "MM/DD/YYYY",
    User.DateFormat.EU: "DD.MM.YYYY",
    User.DateFormat.UK: "DD/MM/YYYY",
}
TIME_FORMAT = {User.TimeFormat.H24: "HOUR24", User.TimeFormat.H12: "HOUR12"}
ROUND_LABEL = {
    Workspace.RoundingMode.UP: "Round up",
    Workspace.RoundingMode.DOWN: "Round down",
    Workspace.RoundingMode.NEAREST: "Round to nearest",
}


# --- output shapes ---------------------------------------------------------------------------


class MembershipOut(serializers.Serializer):
    userId = serializers.CharField()
    hourlyRate = MoneySerializer(allow_null=True)
    membershipType = serializers.CharField()
    membershipStatus = serializers.ChoiceField(choices=Membership.Status.values)
    targetId = serializers.CharField()
    role = serializers.ChoiceField(choices=Membership.Role.values)
    contractor = serializers.BooleanField(
        help_text="A contractor in this workspace: QuickBooks gets their time as a vendor's."
    )


class UserSettingsOut(serializers.Serializer):
    timeZone = serializers.CharField()
    weekStart = serializers.ChoiceField(choices=list(WEEK_START.values()))
    dateFormat = serializers.ChoiceField(choices=list(DATE_FORMAT.values()))
    timeFormat = serializers.ChoiceField(choices=list(TIME_FORMAT.values()))


class UserOut(serializers.Serializer):
    id = serializers.CharField()
    email = serializers.EmailField()
    name = serializers.CharField()
    activeWorkspace = serializers.CharField(allow_null=True)
    defaultWorkspace = serializers.CharField(allow_null=True)
    memberships = MembershipOut(many=True)
    settings = UserSettingsOut()
    status = serializers.CharField()
    profilePicture = serializers.CharField()


class RoundOut(serializers.Serializer):
    round = serializers.ChoiceField(choices=list(ROUND_LABEL.values()))
    minutes = serializers.CharField()


class WorkspaceSettingsOut(serializers.Serializer):
    timeRoundingInReports = serializers.BooleanField()
    round = RoundOut()
    timeZone = serializers.CharField()
    onlyAdminsCreateProject = serializers.BooleanField()
    onlyAdminsCreateTag = serializers.BooleanField()
    onlyAdminsSeeAllTimeEntries = serializers.BooleanField()
    onlyAdminsSeeBillableRates = serializers.BooleanField()
    onlyAdminsSeePublicProjectsEntries = serializers.BooleanField()
    onlyAdminsSeeDashboard = serializers.BooleanField()
    adminOnlyPages = serializers.ListField(child=serializers.CharField())
    canSeeTimeSheet = serializers.BooleanField()
    canSeeTimeTracker = serializers.BooleanField()
    defaultBillableProjects = serializers.BooleanField()
    forceDescription = serializers.BooleanField()
    forceProjects = serializers.BooleanField()
    forceTags = serializers.BooleanField()
    forceTasks = serializers.BooleanField()
    projectFavorites = serializers.BooleanField()
    projectGroupingLabel = serializers.CharField()
    projectPickerSpecialFilter = serializers.BooleanField()
    trackTimeDownToSecond = serializers.BooleanField()
    lockTimeEntries = serializers.CharField(
        allow_blank=True, help_text='"": no automatic lock (approved weeks lock on their own).'
    )


class WorkspaceOut(serializers.Serializer):
    id = serializers.CharField()
    name = serializers.CharField()
    imageUrl = serializers.CharField(allow_blank=True, help_text='"": no workspace image.')
    hourlyRate = MoneySerializer(allow_null=True)  # null for members: rates are admins'
    currencyCode = serializers.CharField()
    featureSubscriptionType = serializers.ChoiceField(choices=Workspace.Plan.values)
    memberships = MembershipOut(many=True)
    workspaceSettings = WorkspaceSettingsOut()


def membership_data(
    membership: Membership, workspace: Workspace, *, shows_rates: bool
) -> dict[str, Any]:
    rate = membership.hourly_rate_cents if shows_rates else None
    return {
        "userId": membership.user_id,
        "hourlyRate": money(rate, workspace.currency),
        "membershipType": "WORKSPACE",
        "membershipStatus": membership.status,
        "targetId": membership.workspace_id,
        "role": membership.role,
        "contractor": membership.contractor,
    }


def user_data(
    user: User,
    memberships: list[tuple[Membership, Workspace]],
    status_: str = "ACTIVE",
    show_memberships: bool = True,
    shows_rates: bool | None = None,
) -> dict[str, Any]:
    """`shows_rates`: whether the viewer sees rates; None when the user views themselves, whose
    role in each workspace decides."""
    active_ids = [m.workspace_id for m, _ in memberships if m.status == Membership.Status.ACTIVE]
    active = user.active_workspace_id if user.active_workspace_id in active_ids else None
    default = active or (active_ids[0] if active_ids else None)
    return {
        "id": user.pk,
        "email": user.email,
        "name": user.full_name,
        "activeWorkspace": active or default,
        "defaultWorkspace": default,
        "memberships": [
            membership_data(m, w, shows_rates=m.is_admin if shows_rates is None else shows_rates)
            for m, w in memberships
        ]
        if show_memberships
        else [],
        "settings": {
            "timeZone": user.time_zone,
            "weekStart": WEEK_START.get(User.WeekStart(user.week_start), "MONDAY"),
            "dateFormat": DATE_FORMAT.get(User.DateFormat(user.date_format), "YYYY-MM-DD"),
            "timeFormat": TIME_FORMAT.get(User.TimeFormat(user.time_format), "HOUR24"),
        },
        "status": status_,
        "profilePicture": "",
    }


def workspace_data(
    workspace: Workspace, memberships: list[Membership], *, shows_rates: bool
) -> dict[str, Any]:
    rate = workspace.hourly_rate_cents if shows_rates else None
    return {
        "id": workspace.pk,
        "name": workspace.name,
        "imageUrl": "",
        "hourlyRate": money(rate, workspace.currency),
        "currencyCode": workspace.currency,
        "featureSubscriptionType": workspace.plan,
        "memberships": [
            membership_data(m, workspace, shows_rates=shows_rates) for m in memberships
        ],
        "workspaceSettings": {
            "timeRoundingInReports": workspace.rounding_enabled,
            "round": {
                "round": ROUND_LABEL[Workspace.RoundingMode(workspace.rounding_mode)],
                "minutes": str(workspace.rounding_minutes),
            },
            "timeZone": workspace.time_zone,
            # What the product does, in Clockify's settings: only admins create projects and
            # tags, see everyone's time and see rates; every entry is kept to the second.
            "onlyAdminsCreateProject": True,
            "onlyAdminsCreateTag": True,
            "onlyAdminsSeeAllTimeEntries": True,
            "onlyAdminsSeeBillableRates": True,
            "onlyAdminsSeePublicProjectsEntries": True,
            "onlyAdminsSeeDashboard": False,
            "adminOnlyPages": [],
            "canSeeTimeSheet": True,
            "canSeeTimeTracker": True,
            "defaultBillableProjects": True,
            "forceDescription": False,
            "forceProjects": False,
            "forceTags": False,
            "forceTasks": False,
            "projectFavorites": False,
            "projectGroupingLabel": "client",
            "projectPickerSpecialFilter": False,
            "trackTimeDownToSecond": True,
            "lockTimeEntries": "",
        },
    }


def _workspaces_of(user: User, workspace_id: str | None = None) -> list[dict[str, Any]]:
    """The user's active workspaces with the memberships they may see (all of them where they
    are an admin, their own elsewhere), in two queries whatever the number of workspaces or
    members."""
    own = Membership.objects.filter(user=user, status=Membership.Status.ACTIVE).select_related(
        "workspace"
    )
    if workspace_id is not None:
        own = own.filter(workspace_id=workspace_id)
    own_list = list(own.order_by("workspace__name", "workspace_id"))
    admin_of = [m.workspace_id for m in own_list if m.is_admin]
    others = Membership.objects.filter(workspace_id__in=admin_of).exclude(
        Q(status=Membership.Status.REMOVED) | Q(user=user)
    )
    by_workspace: dict[str, list[Membership]] = {}
    for m in others.order_by("created_at", "id"):
        by_workspace.setdefault(m.workspace_id, []).append(m)
    return [
        workspace_data(
            m.workspace, [m, *by_workspace.get(m.workspace_id, [])], shows_rates=m.is_admin
        )
        for m in own_list
    ]


# --- views -----------------------------------------------------------------------------------


class CurrentUserApi(APIView):
    @extend_schema(operation_id="user_current", responses=UserOut, tags=["users"])
    def get(self, request: Request) -> Response:
        user: User = request.user  # type: ignore[assignment]
        memberships = (
            Membership.objects.filter(user=user)
            .exclude(status=Membership.Status.REMOVED)
            .select_related("workspace")
            .order_by("created_at", "id")
        )
        data = user_data(user, [(m, m.workspace) for m in memberships])
        return Response(UserOut(data).data)


class WorkspaceListApi(APIView):
    @extend_schema(
        operation_id="workspaces_list", responses=WorkspaceOut(many=True), tags=["workspaces"]
    )
    def get(self, request: Request) -> Response:
        data = _workspaces_of(request.user)  # type: ignore[arg-type]
        return Response(WorkspaceOut(data, many=True).data)


class WorkspaceDetailApi(WorkspaceApiView):
    @extend_schema(operation_id="workspaces_get", responses=WorkspaceOut, tags=["workspaces"])
    def get(self, request: Request, ws: str) -> Response:
        (data,) = _workspaces_of(request.user, ws)  # type: ignore[arg-type]
        return Response(WorkspaceOut(data).data)


# Clockify's membership statuses for the users list's `status`. PENDING (invited, not joined)
# and DECLINED have no member here: an invitation is not a user until it is accepted (it has no
# user id any other endpoint knows; the Team page lists it), and one is never declined, only
# cancelled or left to expire. So they answer an empty list, not a 400 a script cannot expect.
USER_STATUS_FILTERS = ("PENDING", "ACTIVE", "DECLINED", "INACTIVE", "ALL")
NO_MEMBER_STATUSES = ("PENDING", "DECLINED")


class InviteIn(BodySerializer):
    email = StrictCharField(max_length=254)
    role = serializers.ChoiceField(
        choices=[Membership.Role.MEMBER, Membership.Role.ADMIN],
        required=False,
        default=Membership.Role.MEMBER,
    )


class WorkspaceUsersApi(WorkspaceApiView):
    def get_permissions(self) -> Any:
        if self.request.method == "POST":
            return [IsWorkspaceAdmin()]
        return super().get_permissions()

    @extend_schema(
        operation_id="workspace_users_list",
        parameters=[
            OpenApiParameter("email", OpenApiTypes.STR, description="Part of the e-mail address."),
            OpenApiParameter("name", OpenApiTypes.STR, description="Part of the name."),
            OpenApiParameter(
                "status",
                OpenApiTypes.STR,
                enum=list(USER_STATUS_FILTERS),
                default="ALL",
                description="Clockify's statuses. PENDING and DECLINED list nobody: an "
                "invitation becomes a user only when accepted (pending ones are on the Team "
                "page), and invitations are not declined here.",
            ),
            *page_parameters(),
        ],
        responses=UserOut(many=True),
        tags=["users"],
    )
    def get(self, request: Request, ws: str) -> Response:
        status_filter = (request.query_params.get("status") or "ALL").upper()
        if status_filter not in USER_STATUS_FILTERS:
            raise ApplicationError(
                "status must be PENDING, ACTIVE, DECLINED, INACTIVE or ALL.", field="status"
            )
        members = team_member_list(workspace=self.workspace)
        if status_filter in NO_MEMBER_STATUSES:
            members = members.none()
        elif status_filter != "ALL":
            members = members.filter(status=status_filter)
        if email := text_param(request, "email"):
            members = members.filter(user__email__icontains=email)
        if name := text_param(request, "name"):
            members = members.filter(user__full_name__icontains=name)
        rows, last_page = paginate(members, request)
        data = [self.member_data(m) for m in rows]
        return paginated_response(UserOut(data, many=True).data, last_page=last_page)

    def member_data(self, member: Membership) -> dict[str, Any]:
        viewer = self.membership
        return user_data(
            member.user,
            [(member, self.workspace)],
            status_=member.status,
            show_memberships=viewer.is_admin or member.user_id == viewer.user_id,
            shows_rates=viewer.is_admin,
        )

    @extend_schema(
        operation_id="workspace_users_invite",
        request=InviteIn,
        responses={201: WorkspaceOut},
        tags=["users"],
        description="Invite someone by e-mail (admins; only the owner invites admins). "
        "The invitation link is mailed and valid for 7 days. Answers the workspace.",
    )
    def post(self, request: Request, ws: str) -> Response:
        data = validated(InviteIn, request)
        invitation_create(actor=self.membership, email=data["email"], role=data["role"])
        (workspace,) = _workspaces_of(request.user, ws)  # type: ignore[arg-type]
        return Response(WorkspaceOut(workspace).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    get=extend_schema(
        operation_id="workspace_users_list_legacy",
        deprecated=True,
        description="The singular path some Clockify clients still call (a Singer tap): "
        "the same answer as GET /workspaces/{ws}/users.",
    )
)
class WorkspaceUsersLegacyApi(WorkspaceUsersApi):
    http_method_names = ["get", "options"]


class UserStatusIn(BodySerializer):
    """Clockify's user status body: `status` (or `membershipStatus`) ACTIVE or INACTIVE."""

    status = serializers.ChoiceField(choices=["ACTIVE", "INACTIVE"], required=False)
    membershipStatus = serializers.ChoiceField(choices=["ACTIVE", "INACTIVE"], required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        given = {attrs[k] for k in ("status", "membershipStatus") if k in attrs}
        if not given:
            raise serializers.ValidationError({"status": "Give ACTIVE or INACTIVE."})
        if len(given) > 1:
            raise serializers.ValidationError({"status": "status and membershipStatus disagree."})
        return {"status": given.pop()}


class UserRateIn(ClearableMoneyInputSerializer):
    """A member's workspace rate (null clears it), in the workspace's currency."""


class WorkspaceUserDetailApi(WorkspaceUsersApi):
    """GET /workspaces/{ws}/users/{userId}: one person of the workspace (a Clockify SDK calls
    it); PUT with `{status}` deactivates or reactivates them (admins, as on the Team page).
    404 for anyone who is not a member."""

    http_method_names = ["get", "put", "options"]

    def get_permissions(self) -> Any:
        if self.request.method == "PUT":
            return [IsWorkspaceAdmin()]
        return super().get_permissions()

    def _member(self, user_id: str) -> Membership:
        member = team_member_list(workspace=self.workspace).filter(user_id=user_id).first()
        if member is None:
            raise NotFound("User not found.")
        return member

    @extend_schema(operation_id="workspace_user_get", responses=UserOut, tags=["users"])
    def get(self, request: Request, ws: str, user_id: str) -> Response:  # type: ignore[override]
        return Response(UserOut(self.member_data(self._member(user_id))).data)

    @extend_schema(
        operation_id="workspace_user_status",
        request=UserStatusIn,
        responses=UserOut,
        tags=["users"],
        description="Deactivate (INACTIVE) or reactivate (ACTIVE) a member; the same status "
        "again changes nothing. Only the owner does this to an admin.",
    )
    def put(self, request: Request, ws: str, user_id: str) -> Response:
        member = self._member(user_id)
        wanted = validated(UserStatusIn, request)["status"]
        if member.status != wanted:
            change = membership_reactivate if wanted == "ACTIVE" else membership_deactivate
            member = change(actor=self.membership, membership=member)
        return Response(UserOut(self.member_data(member)).data)


class WorkspaceUserRateApi(WorkspaceUserDetailApi):
    """PUT /workspaces/{ws}/users/{userId}/hourly-rate: a member's rate in the workspace."""

    http_method_names = ["put", "options"]

    @extend_schema(
        operation_id="workspace_user_hourly_rate",
        request=UserRateIn,
        responses=WorkspaceOut,
        tags=["users"],
        description="Set a member's hourly rate (amount null: the workspace's default rate "
        "applies). It applies to new entries. Answers the workspace, as Clockify does.",
    )
    def put(self, request: Request, ws: str, user_id: str) -> Response:
        member = self._member(user_id)
        data = validated(UserRateIn, request, currency=self.workspace.currency)
        membership_rate_update(
            actor=self.membership, membership=member, hourly_rate_cents=data["amount"]
        )
        (workspace,) = _workspaces_of(request.user, ws)  # type: ignore[arg-type]
        return Response(WorkspaceOut(workspace).data)


class UserContractorIn(BodySerializer):
    contractor = StrictBooleanField()


class WorkspaceUserContractorApi(WorkspaceUserDetailApi):
    """PUT /workspaces/{ws}/users/{userId}/contractor: mark a member as a contractor (their time
    goes to QuickBooks as a vendor's) or not (an employee's). Not in Clockify's API."""

    http_method_names = ["put", "options"]

    @extend_schema(
        operation_id="workspace_user_contractor",
        request=UserContractorIn,
        responses=UserOut,
        tags=["users"],
        description="Mark a member as a contractor (`true`: QuickBooks gets their time as a "
        "vendor's) or an employee (`false`). The owner marks anyone; an admin marks members "
        "(as with hourly rates). The next QuickBooks sync links them to the vendor (or "
        "employee) of the same name. Audited.",
    )
    def put(self, request: Request, ws: str, user_id: str) -> Response:
        member = self._member(user_id)
        data = validated(UserContractorIn, request)
        member = membership_contractor_set(
            actor=self.membership, membership=member, contractor=data["contractor"]
        )
        return Response(UserOut(self.member_data(member)).data)
