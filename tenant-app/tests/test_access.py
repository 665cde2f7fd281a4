"""The policy engine on real tenants: RBAC and ABAC decisions, scope() agreeing with authorize(), its cache."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.db.models import QuerySet
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tenant_app.access import actions, permission_catalog
from tenant_app.access.conditions import ConditionError, attributes_of, compile_condition, plain, to_cel
from tenant_app.access.models import AccessRevision, Policy, Role
from tenant_app.access.policy import Context, Decision, Denied, authorize, policy_cache, require, scope
from tenant_app.accounts.models import RefreshFamily, User
from tenant_app.audit.actions import record_security_event
from tenant_app.audit.models import AuditEvent, AuditEventType
from tenant_app.tenancy.context import tenant_transaction

from .conftest import ShardTenant

DAY = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
NIGHT = datetime(2026, 3, 2, 22, 0, tzinfo=UTC)
OFFICE, OUTSIDE = "10.1.2.3", "203.0.113.9"
SELF, OTHER, SELF_AS_TEXT = "<the user's id>", "<another user's id>", "<the user's id as text>"
# Noon UTC, as a Tokyo clock shows it: time windows are in UTC whatever the zone of `now`.
NOON_IN_TOKYO = DAY.astimezone(ZoneInfo("Asia/Tokyo"))

ROLE_OF_USER = {
    "owner": "owner",
    "admin": "admin",
    "manager": "manager",
    "staff": "staff",
    "customer": "customer",
    "other": "customer",
    "nobody": None,
}


@dataclass
class Workspace:
    tenant: ShardTenant
    users: dict[str, User]

    def decide(self, name: str, action: str, resource: object = None, context: Context | None = None) -> Decision:
        with tenant_transaction(self.tenant.route):
            return authorize(self.users[name], action, resource, context)

    def role(self, slug: str) -> Role:
        with tenant_transaction(self.tenant.route):
            return Role.objects.get(slug=slug)


def populate(tenant: ShardTenant) -> Workspace:
    """One user per built-in role (staff work at the north location), a second customer, one without a role."""
    users = {}
    with tenant_transaction(tenant.route):
        roles = {role.slug: role for role in Role.objects.all()}
        for name, role in ROLE_OF_USER.items():
            attributes = {"location": "north"} if name == "staff" else {}
            users[name] = User.objects.create_user(
                f"{name}@example.test", None, role=roles.get(role or ""), attributes=attributes
            )
    return Workspace(tenant, users)


@pytest.fixture
def alpha(shard: tuple[str, list[ShardTenant]]) -> Workspace:
    return populate(shard[1][0])


@pytest.fixture
def both(shard: tuple[str, list[ShardTenant]]) -> tuple[Workspace, Workspace]:
    return populate(shard[1][0]), populate(shard[1][1])


@pytest.fixture
def policed(alpha: Workspace) -> Workspace:
    """alpha with the issue's examples as policies (customers-own-orders comes with every workspace)."""
    owner = alpha.users["owner"]
    with tenant_transaction(alpha.tenant.route):
        staff, manager = Role.objects.get(slug="staff"), Role.objects.get(slug="manager")
        actions.create_policy(
            None,
            owner,
            name="staff-own-location",
            effect="allow",
            actions=["products.update"],
            roles=[staff],
            condition="resource.location == subject.location",
        )
        actions.create_policy(
            None,
            owner,
            name="manager-office-hours",
            effect="deny",
            actions=["*"],
            roles=[manager],
            condition="context.now.getHours() < 8 || context.now.getHours() >= 20",
        )
        actions.create_policy(
            None,
            owner,
            name="office-network",
            effect="allow",
            actions=["*"],
            condition='inNetwork(context.ip, "10.0.0.0/8")',
        )
    return alpha


def at(hour: int, minute: int = 0) -> datetime:
    return DAY.replace(hour=hour, minute=minute)


MATRIX = [
    # RBAC: the built-in roles' permission sets
    ("owner", "owners.manage", None, DAY, OFFICE, True, "granted_by_role"),
    ("admin", "owners.manage", None, DAY, OFFICE, False, "no_permission"),
    ("admin", "policies.create", None, DAY, OFFICE, True, "granted_by_role"),
    ("manager", "products.delete", None, DAY, OFFICE, True, "granted_by_role"),
    ("manager", "users.delete", None, DAY, OFFICE, False, "no_permission"),
    ("staff", "products.delete", {"location": "north"}, DAY, OFFICE, False, "no_permission"),
    ("customer", "products.view", None, DAY, OFFICE, True, "granted_by_role"),
    ("customer", "orders.update", {"customer_id": SELF}, DAY, OFFICE, False, "no_permission"),
    ("nobody", "products.view", None, DAY, OFFICE, False, "no_permission"),
    # staff may update a product only when resource.location == subject.location
    ("staff", "products.update", {"location": "north"}, DAY, OFFICE, True, "granted_by_role"),
    ("staff", "products.update", {"location": "south"}, DAY, OFFICE, False, "not_allowed_by_policy:staff-own-location"),
    (
        "staff",
        "products.update",
        {"name": "no location"},
        DAY,
        OFFICE,
        False,
        "not_allowed_by_policy:staff-own-location",
    ),
    ("staff", "products.update", None, DAY, OFFICE, True, "granted_by_role"),  # which rows: object check, scope()
    ("manager", "products.update", {"location": "south"}, DAY, OFFICE, True, "granted_by_role"),
    # customers may view an order only when resource.customer_id == subject.id
    ("customer", "orders.view", {"customer_id": SELF}, DAY, OFFICE, True, "granted_by_role"),
    (
        "customer",
        "orders.view",
        {"customer_id": OTHER},
        DAY,
        OFFICE,
        False,
        "not_allowed_by_policy:customers-own-orders",
    ),
    (
        "customer",
        "orders.view",
        {"customer_id": SELF_AS_TEXT},
        DAY,
        OFFICE,
        False,
        "not_allowed_by_policy:customers-own-orders",
    ),
    ("admin", "orders.view", {"customer_id": OTHER}, DAY, OFFICE, True, "granted_by_role"),
    # deny everything outside 08:00-20:00 UTC for managers
    ("manager", "products.view", None, NIGHT, OFFICE, False, "denied_by_policy:manager-office-hours"),
    ("manager", "products.view", None, at(7, 59), OFFICE, False, "denied_by_policy:manager-office-hours"),
    ("manager", "products.view", None, at(8), OFFICE, True, "granted_by_role"),
    ("manager", "products.view", None, at(19, 59), OFFICE, True, "granted_by_role"),
    ("manager", "products.view", None, at(20), OFFICE, False, "denied_by_policy:manager-office-hours"),
    ("manager", "products.view", None, NOON_IN_TOKYO, OFFICE, True, "granted_by_role"),
    ("staff", "products.view", None, NIGHT, OFFICE, True, "granted_by_role"),
    # allow only from the network 10.0.0.0/8 (everyone, every action)
    ("admin", "users.view", None, DAY, OUTSIDE, False, "not_allowed_by_policy:office-network"),
    ("admin", "users.view", None, DAY, None, False, "not_allowed_by_policy:office-network"),
    ("owner", "owners.manage", None, DAY, OUTSIDE, False, "not_allowed_by_policy:office-network"),
    ("manager", "products.view", None, NIGHT, OUTSIDE, False, "denied_by_policy:manager-office-hours"),  # deny first
    # one's own sessions are always one's own to see and end; others' need the permission
    ("customer", "sessions.delete", {"user_id": SELF}, DAY, OUTSIDE, True, "own_resource"),
    ("customer", "sessions.delete", {"user_id": OTHER}, DAY, OFFICE, False, "no_permission"),
    ("customer", "sessions.view", None, DAY, OFFICE, True, "own_resource"),
    ("admin", "sessions.delete", {"user_id": OTHER}, DAY, OFFICE, True, "granted_by_role"),
    ("manager", "sessions.delete", {"user_id": SELF}, NIGHT, OFFICE, False, "denied_by_policy:manager-office-hours"),
]


@pytest.mark.parametrize(("name", "action", "resource", "now", "ip", "allowed", "reason"), MATRIX)
def test_decision_matrix(
    policed: Workspace,
    name: str,
    action: str,
    resource: dict[str, Any] | None,
    now: datetime,
    ip: str | None,
    allowed: bool,
    reason: str,
) -> None:
    me, other = policed.users[name].pk, policed.users["other"].pk
    ids = {SELF: me, OTHER: other, SELF_AS_TEXT: str(me)}
    attributes = {key: ids.get(value, value) for key, value in (resource or {}).items()}
    target = SimpleNamespace(**attributes) if resource is not None else None

    decision = policed.decide(name, action, target, Context(ip=ip, now=now))

    assert (decision.allowed, decision.reason) == (allowed, reason)
    assert bool(decision) is allowed


def test_nobody_signed_in_or_deactivated_is_refused(alpha: Workspace) -> None:
    alpha.users["admin"].is_active = False

    assert alpha.decide("admin", "users.view") == Decision(False, "not_authenticated")
    with tenant_transaction(alpha.tenant.route):
        assert authorize(AnonymousUser(), "products.view") == Decision(False, "not_authenticated")
        assert not scope(AnonymousUser(), "products.view", Role.objects.all()).exists()


def test_require_raises_a_403_forbidden_naming_the_reason(alpha: Workspace) -> None:
    with tenant_transaction(alpha.tenant.route), pytest.raises(Denied) as refused:
        require(alpha.users["staff"], "users.delete")

    assert refused.value.status_code == 403
    assert refused.value.get_codes() == "forbidden"
    assert "no_permission" in str(refused.value.detail)


def test_every_workspace_starts_with_the_built_in_roles(both: tuple[Workspace, Workspace]) -> None:
    for workspace in both:
        with tenant_transaction(workspace.tenant.route):
            roles = {role.slug: role for role in Role.objects.all()}
            own_orders = Policy.objects.get(name="customers-own-orders")
            own_orders_roles = [role.slug for role in own_orders.roles.all()]

        assert set(roles) == {"owner", "admin", "manager", "staff", "customer"}
        assert all(role.builtin for role in roles.values())
        assert set(roles["owner"].permissions) == set(permission_catalog.PERMISSIONS)
        assert set(roles["admin"].permissions) == set(permission_catalog.PERMISSIONS) - {"owners.manage"}
        assert roles["staff"].permissions == ["products.view", "products.update", "orders.view"]
        assert {slug for slug, role in roles.items() if role.requires_two_factor} == {"owner", "admin"}
        assert (own_orders.effect, own_orders.actions, own_orders_roles) == ("allow", ["orders.view"], ["customer"])


# ---- scope() agrees with authorize() -----------------------------------------------------


def test_scope_filters_in_sql_exactly_the_rows_authorize_allows(alpha: Workspace) -> None:
    owner = alpha.users["owner"]
    with tenant_transaction(alpha.tenant.route):
        auditor = actions.create_role(
            None, owner, slug="auditor", name="Auditor", permissions=["audit.view", "sessions.view"]
        )
        inspector = User.objects.create_user(
            "inspector@example.test", None, role=auditor, attributes={"location": "north"}
        )
        for actor, subject, type_ in [
            (inspector, "", AuditEventType.SIGN_IN),
            (alpha.users["staff"], "north", AuditEventType.SIGN_IN),
            (alpha.users["staff"], "south", AuditEventType.SIGN_OUT),
            (None, "north", AuditEventType.SIGN_IN_FAILED),
            (None, "south", AuditEventType.SIGN_IN_FAILED),
            (alpha.users["customer"], "north", AuditEventType.TOKEN_REUSED),
            (alpha.users["customer"], "south", AuditEventType.TOKEN_REUSED),
        ]:
            record_security_event(None, type_, actor=actor, subject=subject)
        for user, method, revoked in [
            (inspector, "password", None),
            (alpha.users["customer"], "password", None),
            (alpha.users["customer"], "sso:google", None),
            (alpha.users["admin"], "password+2fa", DAY),
            (alpha.users["admin"], "sso:google", None),
        ]:
            RefreshFamily.objects.create(user=user, method=method, revoked_at=revoked)
        for name, effect, action, condition in [
            (
                "audit-own-or-location",
                "allow",
                "audit.view",
                "resource.actor_id == subject.id || resource.subject == subject.location",
            ),
            (
                "hide-reuse-elsewhere",
                "deny",
                "audit.view",
                'resource.type == "token_reused" && !(resource.subject in ["north"])',
            ),
            (
                "live-sso-sessions",
                "allow",
                "sessions.view",
                'resource.method != "password" && resource.revoked_at == null',
            ),
        ]:
            actions.create_policy(
                None, owner, name=name, effect=effect, actions=[action], roles=[auditor], condition=condition
            )
    alpha.users["inspector"] = inspector

    for name in ["admin", "customer", "nobody"]:
        agree_on(alpha, name, "audit.view", AuditEvent.objects.all())
        agree_on(alpha, name, "sessions.view", RefreshFamily.objects.all())
        agree_on(alpha, name, "sessions.delete", RefreshFamily.objects.all())
    events = agree_on(alpha, "inspector", "audit.view", AuditEvent.objects.all())
    sessions = agree_on(alpha, "inspector", "sessions.view", RefreshFamily.objects.all())
    ended = agree_on(alpha, "inspector", "sessions.delete", RefreshFamily.objects.all())

    with tenant_transaction(alpha.tenant.route):
        assert AuditEvent.objects.count() > len(events)  # the policies narrow, and leave what they should
        assert {(event.subject, event.type) for event in AuditEvent.objects.filter(pk__in=events)} == {
            ("", "sign_in"), ("north", "sign_in"), ("north", "sign_in_failed"), ("north", "token_reused"),
        }  # fmt: skip
        assert {(session.user_id, session.method) for session in RefreshFamily.objects.filter(pk__in=sessions)} == {
            (inspector.pk, "password"),  # their own
            (alpha.users["customer"].pk, "sso:google"),
            (alpha.users["admin"].pk, "sso:google"),
        }
        assert {session.user_id for session in RefreshFamily.objects.filter(pk__in=ended)} == {inspector.pk}


def agree_on(workspace: Workspace, name: str, action: str, queryset: QuerySet[Any]) -> set[Any]:
    """The rows scope() leaves, checked against authorize() row by row; scope() runs no query of its own."""
    user = workspace.users[name]
    with tenant_transaction(workspace.tenant.route):
        authorize(user, action)  # warms the cache
        with CaptureQueriesContext(connection) as during_scope:
            scoped = scope(user, action, queryset)
        assert len(during_scope) == 0
        allowed = {row.pk for row in queryset if authorize(user, action, row)}
        assert set(scoped.values_list("pk", flat=True)) == allowed, (name, action)
    return allowed


FIELDS = ["id", "type", "actor_id", "subject", "occurred_at", "ip_address", "details", "nope"]
VALUES = [
    "subject.id", "subject.location", "subject.missing", "subject.ids", "'north'", "'sign_in'", "3", "3.5",
    "null", "true", "context.now", "['sign_in', 'sign_out']", "[1, 'north']", "subject.id + 1",
]  # fmt: skip
OPERATORS = ["==", "!=", "<", "<=", ">", ">=", "in"]


@st.composite
def comparisons(draw: st.DrawFn) -> str:
    field, op, value = draw(st.sampled_from(FIELDS)), draw(st.sampled_from(OPERATORS)), draw(st.sampled_from(VALUES))
    if op != "in" and draw(st.booleans()):
        return f"{value} {op} resource.{field}"
    return f"resource.{field} {op} {value}"


atoms = st.one_of(
    comparisons(),
    st.sampled_from(FIELDS).map(lambda field: f"has(resource.{field})"),
    st.sampled_from(FIELDS).map(lambda field: f"resource.{field}"),
    st.sampled_from(["subject.id > 0", "subject.missing", "context.ip == '10.0.0.1'"]),
)
conditions = st.recursive(
    atoms,
    lambda inner: st.one_of(
        st.tuples(inner, inner).map(lambda pair: f"({pair[0]} && {pair[1]})"),
        st.tuples(inner, inner).map(lambda pair: f"({pair[0]} || {pair[1]})"),
        inner.map(lambda part: f"!({part})"),
    ),
    max_leaves=4,
)


@pytest.fixture
def audit_rows(alpha: Workspace) -> tuple[Workspace, list[AuditEvent]]:
    with tenant_transaction(alpha.tenant.route):
        for actor, subject, type_ in [
            (alpha.users["staff"], "north", AuditEventType.SIGN_IN),
            (alpha.users["customer"], "south", AuditEventType.SIGN_OUT),
            (None, "north", AuditEventType.SIGN_IN_FAILED),
            (None, "", AuditEventType.TOKEN_REUSED),
        ]:
            record_security_event(None, type_, actor=actor, subject=subject)
        return alpha, list(AuditEvent.objects.all())


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(source=conditions)
def test_a_condition_is_true_false_or_an_error_alike_in_python_and_in_sql(
    audit_rows: tuple[Workspace, list[AuditEvent]], source: str
) -> None:
    workspace, rows = audit_rows
    staff = workspace.users["staff"]
    condition = compile_condition(source)
    subject = {"id": staff.pk, "location": "north", "ids": [staff.pk, 3]}
    activation = {"subject": to_cel(plain(subject)), "context": to_cel(plain({"ip": "10.0.0.1", "now": DAY}))}

    with tenant_transaction(workspace.tenant.route):
        split = condition.rows(AuditEvent, activation)
        in_sql = (
            set(AuditEvent.objects.filter(split.true).values_list("pk", flat=True)),
            set(AuditEvent.objects.filter(split.false).values_list("pk", flat=True)),
        )
    truths = {row.pk: condition.holds(attributes_of(row), activation) for row in rows}

    assert in_sql == ({pk for pk, t in truths.items() if t is True}, {pk for pk, t in truths.items() if t is False})


# ---- Conditions are checked when saved ---------------------------------------------------


@pytest.mark.parametrize(
    "source",
    [
        "resource.location == subject.location",
        "resource.customer_id == subject.id",
        "context.now.getHours() < 8 || context.now.getHours() >= 20",
        'inNetwork(context.ip, "10.0.0.0/8")',
        'context.ip.inNetwork("192.168.0.0/16") && subject.tags.exists(t, t == "vip")',
        "has(resource.location) && resource.total >= 100.0 && !(resource.status in ['void', 'draft'])",
    ],
)
def test_conditions_of_the_issue_compile(source: str) -> None:
    assert compile_condition(source).source == source


@pytest.mark.parametrize(
    ("source", "complaint"),
    [
        ("subject.location ==", "not a valid CEL expression (line 1, column"),
        ("user.id == 1", "Unknown name `user`"),
        ("subject.name.matches('a+')", "`matches()` is not available"),
        ('inNetwork(context.ip, "10.0.0.0/33")', "'10.0.0.0/33' is not an IP network"),
        ("resource.price * 2 > 10", "compare its fields"),
        ("subject.locations.exists(l, l == resource.location)", "compare its fields"),
        ("resource.location == resource.zone", "compare its fields"),
        ("resource.owner.id == subject.id", "compare its fields"),
        ("resource.open ? true : false", "compare its fields"),
        ("[1].all(subject, true)", "`subject` cannot name a variable"),
        ("google.protobuf.Int32Value{value: 1} == 1", "Unknown name `google`"),
        ("subject.x == 1 || " * 200 + "true", "at most 2000 characters"),
    ],
)
def test_bad_conditions_are_refused_with_what_to_fix(source: str, complaint: str) -> None:
    with pytest.raises(ConditionError) as refused:
        compile_condition(source)

    assert complaint in str(refused.value)


def test_a_stored_condition_that_no_longer_compiles_fails_closed(alpha: Workspace) -> None:
    owner = alpha.users["owner"]
    with tenant_transaction(alpha.tenant.route):
        # As if written by an older release whose conditions allowed more.
        broken = Policy.objects.create(name="legacy", effect="allow", actions=["products.view"], condition="regex(x)")
        AccessRevision.objects.update(stamp=uuid.uuid4())
    policy_cache.forget(alpha.tenant.slug)

    assert alpha.decide("customer", "products.view") == Decision(False, "not_allowed_by_policy:legacy")
    with tenant_transaction(alpha.tenant.route):
        assert not scope(alpha.users["customer"], "products.view", Role.objects.all()).exists()
        actions.update_policy(None, owner, broken, effect="deny")
    assert alpha.decide("customer", "products.view") == Decision(False, "denied_by_policy:legacy")


# ---- The per-tenant cache ----------------------------------------------------------------


def add_clerks(workspace: Workspace) -> Role:
    """A custom role `clerk` that may view products, and one member, `clerk`."""
    with tenant_transaction(workspace.tenant.route):
        clerk = actions.create_role(
            None, workspace.users["owner"], slug="clerk", name="Clerk", permissions=["products.view"]
        )
        workspace.users["clerk"] = User.objects.create_user("clerk@example.test", None, role=clerk)
    return clerk


def test_a_change_reloads_its_tenant_and_leaves_the_other_tenants_cache_alone(
    both: tuple[Workspace, Workspace],
) -> None:
    alpha, bravo = both
    alpha_clerk, _ = add_clerks(alpha), add_clerks(bravo)
    assert alpha.decide("clerk", "products.update") == Decision(False, "no_permission")
    assert bravo.decide("clerk", "products.update") == Decision(False, "no_permission")
    bravo_cached = policy_cache.cached(bravo.tenant.slug)
    assert bravo_cached is not None

    with tenant_transaction(alpha.tenant.route):
        actions.update_role(None, alpha.users["owner"], alpha_clerk, permissions=["products.view", "products.update"])
        assert policy_cache.cached(alpha.tenant.slug) is not None  # dropped when the change commits, not before

    assert policy_cache.cached(alpha.tenant.slug) is None
    assert policy_cache.cached(bravo.tenant.slug) is bravo_cached
    assert alpha.decide("clerk", "products.update") == Decision(True, "granted_by_role")
    assert bravo.decide("clerk", "products.update") == Decision(False, "no_permission")

    with tenant_transaction(alpha.tenant.route):
        actions.create_policy(
            None,
            alpha.users["owner"],
            name="no-updates",
            effect="deny",
            actions=["products.update"],
            roles=[alpha_clerk],
        )
    assert alpha.decide("clerk", "products.update") == Decision(False, "denied_by_policy:no-updates")
    assert policy_cache.cached(bravo.tenant.slug) is bravo_cached


def test_other_processes_pick_up_a_change_once_their_ttl_runs_out(alpha: Workspace, settings: Any) -> None:
    add_clerks(alpha)
    settings.ACCESS_POLICY_TTL = 3600
    assert alpha.decide("clerk", "products.update") == Decision(False, "no_permission")

    # Another process changes the role: its own cache is dropped, this one only sees the new stamp.
    with tenant_transaction(alpha.tenant.route):
        Role.objects.filter(slug="clerk").update(permissions=["products.view", "products.update"])
        AccessRevision.objects.update(stamp=uuid.uuid4())

    assert alpha.decide("clerk", "products.update") == Decision(False, "no_permission")  # still trusted
    settings.ACCESS_POLICY_TTL = 0
    assert alpha.decide("clerk", "products.update") == Decision(True, "granted_by_role")


def test_an_unchanged_stamp_keeps_the_compiled_set(alpha: Workspace, settings: Any) -> None:
    settings.ACCESS_POLICY_TTL = 0
    alpha.decide("staff", "products.view")
    compiled = policy_cache.cached(alpha.tenant.slug)

    with CaptureQueriesContext(connection) as queries:
        assert alpha.decide("staff", "products.view")

    assert policy_cache.cached(alpha.tenant.slug) is compiled
    read = [query["sql"] for query in queries if '"access_' in query["sql"]]
    assert len(read) == 1  # the stamp only, no reload
    assert '"access_accessrevision"' in read[0]


def test_the_engine_keeps_no_user_data_between_tenants(both: tuple[Workspace, Workspace]) -> None:
    alpha, bravo = both
    with tenant_transaction(alpha.tenant.route):
        alpha_staff = Role.objects.get(slug="staff")
        actions.create_policy(
            None, alpha.users["owner"], name="freeze", effect="deny", actions=["products.*"], roles=[alpha_staff]
        )

    assert alpha.decide("staff", "products.view") == Decision(False, "denied_by_policy:freeze")
    assert bravo.decide("staff", "products.view") == Decision(True, "granted_by_role")


def test_context_of_a_request_takes_its_address_and_an_aware_time(rf: Any) -> None:
    context = Context.of(rf.get("/", REMOTE_ADDR="10.9.8.7"))

    assert context.ip == "10.9.8.7"
    assert context.now.utcoffset() == timedelta(0)
    assert Context.of(None).ip is None
