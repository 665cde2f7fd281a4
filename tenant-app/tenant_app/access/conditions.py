"""Policy conditions: CEL expressions, checked and compiled once, decided for one resource or as SQL over many.

A condition may use anything CEL offers over `subject` and `context` (except regular
expressions, which could be made to run for ever), plus `inNetwork(ip, "10.0.0.0/8")`.
Where it mentions `resource`, it must be built from what SQL can answer as well, so
`authorize()` (one object) and `scope()` (a queryset) always agree:

    resource.<field> ==, != <value>            resource.<field> in <list>
    resource.<field> <, <=, >, >= <value>      (numbers and timestamps)
    has(resource.<field>)                      a bare resource.<field> (true when it is true)
    joined with &&, || and !, where <value> is any expression without `resource`,
    e.g. `resource.location == subject.location`, `resource.customer_id == subject.id`.

Both sides follow the same rules, three-valued like CEL: comparing unlike types, ordering a
null, or a field the resource lacks is an error; `false && error` is false and
`true || error` is true; an error left at the end counts against the user (policy.py).
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import operator
import threading
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import celpy
import lark
from celpy import celtypes
from celpy.adapter import json_to_cel
from celpy.celparser import CELParseError
from celpy.evaluation import CELEvalError
from django.db import models
from django.db.models import Q

ROOTS = frozenset({"subject", "resource", "context"})
MAX_LENGTH = 2000

# Everything here is side-effect free and bounded by its input; `matches` (regular expressions) is not.
_MACROS = frozenset({"has", "all", "exists", "exists_one", "map", "filter", "dyn"})
_BUILTINS = frozenset(
    {
        "size", "contains", "startsWith", "endsWith",
        "getDate", "getDayOfMonth", "getDayOfWeek", "getDayOfYear", "getFullYear", "getMonth",
        "getHours", "getMilliseconds", "getMinutes", "getSeconds",
        "bool", "double", "duration", "int", "string", "timestamp", "uint",
    }
)  # fmt: skip
_COMPREHENSIONS = frozenset({"all", "exists", "exists_one", "map", "filter"})


def _in_network(ip: Any, network: Any) -> celtypes.BoolType:
    """inNetwork(ip, cidr): no address (or an unparsable one) is in no network."""
    try:
        net = ipaddress.ip_network(str(network), strict=False)
    except ValueError as exc:
        raise CELEvalError(f"{network!r} is not an IP network", type(exc), exc.args) from exc
    try:
        return celtypes.BoolType(ip is not None and ipaddress.ip_address(str(ip)) in net)
    except ValueError:
        return celtypes.BoolType(False)


FUNCTIONS: dict[str, Callable[..., Any]] = {"inNetwork": _in_network}
ALLOWED_CALLS = _MACROS | _BUILTINS | frozenset(FUNCTIONS)

_environment = celpy.Environment()
# celpy's parser is shared by every Environment; compiling is rare, so one at a time.
_compile_lock = threading.Lock()


class ConditionError(ValueError):
    """A condition that cannot be saved; the message says why, for the author."""


# ---- Values both sides agree on ----------------------------------------------------------

Kind = str  # "null", "bool", "int", "double", "string", "timestamp", "list", "map", "other"
_ORDERED = frozenset({"int", "double", "timestamp"})


def plain(value: Any) -> Any:
    """A Python value reduced to what CEL knows (JSON plus timestamps); CEL values back to Python."""
    if value is None:
        return None
    if isinstance(value, bool | celtypes.BoolType):  # CEL's bool is an int, not a bool
        return bool(value)
    if isinstance(value, str):
        return str(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float | Decimal):
        return float(value)
    if isinstance(value, dt.datetime):
        moment = dt.datetime.combine(value.date(), value.timetz())  # CEL's timestamp → datetime
        return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    if isinstance(value, Mapping):
        return {str(key): plain(item) for key, item in value.items()}
    return _Opaque()


class _Opaque:
    """A value CEL cannot see (a date, bytes, an object): comparing it is an error."""


def kind_of(value: Any) -> Kind:
    if value is None:
        return "null"
    if isinstance(value, bool):  # before int, its base class
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "double"
    if isinstance(value, str):
        return "string"
    if isinstance(value, dt.datetime):
        return "timestamp"
    if isinstance(value, list):
        return "list"
    return "map" if isinstance(value, dict) else "other"


def to_cel(value: Any) -> Any:
    """A plain value as CEL sees it; unknown values are left out of maps (using them is an error)."""
    if isinstance(value, dict):
        return celtypes.MapType(
            {celtypes.StringType(k): to_cel(v) for k, v in value.items() if not isinstance(v, _Opaque)}
        )
    if isinstance(value, list):
        return celtypes.ListType([to_cel(item) for item in value])
    return json_to_cel(value)


_FIELD_KINDS: tuple[tuple[type[models.Field[Any, Any]], Kind], ...] = (
    (models.BooleanField, "bool"),
    (models.DateTimeField, "timestamp"),  # before DateField, its base class
    (models.DateField, "other"),
    (models.IntegerField, "int"),  # every integer and auto field
    (models.FloatField, "double"),
    (models.DecimalField, "double"),
    (models.CharField, "string"),  # slug, email, URL fields too
    (models.TextField, "string"),
    (models.UUIDField, "string"),
)


def field_kind(field: models.Field[Any, Any]) -> Kind:
    if isinstance(field, models.ForeignKey):
        return field_kind(field.target_field)
    for field_class, kind in _FIELD_KINDS:
        if isinstance(field, field_class):
            return kind
    return "other"


def attributes_of(resource: object) -> dict[str, Any]:
    """A resource's attributes: a model's concrete fields (FKs by `<name>_id`), a mapping, or an object's."""
    if isinstance(resource, models.Model):
        return {
            field.attname: plain(getattr(resource, field.attname)) if field_kind(field) != "other" else _Opaque()
            for field in resource._meta.concrete_fields
        }
    if isinstance(resource, Mapping):
        return {str(key): plain(value) for key, value in resource.items()}
    return {key: plain(value) for key, value in vars(resource).items() if not key.startswith("_")}


# ---- Three-valued results ----------------------------------------------------------------

Truth = bool | None  # None: an error


def _and(a: Truth, b: Truth) -> Truth:
    return False if a is False or b is False else (None if a is None or b is None else True)


def _or(a: Truth, b: Truth) -> Truth:
    return True if a is True or b is True else (None if a is None or b is None else False)


def _not(a: Truth) -> Truth:
    return None if a is None else not a


@dataclass(frozen=True)
class Rows:
    """Rows where a condition is true and rows where it is false; the rest are errors."""

    true: Q
    false: Q

    @classmethod
    def constant(cls, truth: Truth) -> Rows:
        return cls(ALL if truth is True else NONE, ALL if truth is False else NONE)


NONE = Q(pk__in=[])
ALL = ~NONE

# ---- The plan: a condition as a tree both interpreters walk -------------------------------


@dataclass(frozen=True)
class Value:
    """A sub-expression without `resource`: evaluated by CEL, then compared as a plain value."""

    program: celpy.Runner

    def evaluate(self, activation: Mapping[str, Any]) -> Any:
        """The plain value, or an _Error."""
        try:
            return plain(self.program.evaluate(dict(activation)))
        except CELEvalError:
            return _ERROR

    def truth(self, activation: Mapping[str, Any]) -> Truth:
        value = self.evaluate(activation)
        return value if isinstance(value, bool) else None

    def holds(self, resource: Mapping[str, Any] | None, activation: Mapping[str, Any]) -> Truth:
        return self.truth(activation)

    def rows(self, model: type[models.Model], activation: Mapping[str, Any]) -> Rows:
        return Rows.constant(self.truth(activation))


class _Error:
    """A failed evaluation."""


_ERROR = _Error()


def _model_field(model: type[models.Model], name: str) -> models.Field[Any, Any] | None:
    """A concrete field by its column attribute: `location`, `customer_id` (not the relation `customer`)."""
    return next((field for field in model._meta.concrete_fields if field.attname == name), None)


_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}
_LOOKUP = {"<": "lt", "<=": "lte", ">": "gt", ">=": "gte"}
_OPPOSITE = {"<": ">=", "<=": ">", ">": "<=", ">=": "<"}
_FLIPPED = {"==": "==", "!=": "!=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}


@dataclass(frozen=True)
class Compare:
    """resource.<field> <op> <value>"""

    field: str
    op: str
    value: Value

    def holds(self, resource: Mapping[str, Any] | None, activation: Mapping[str, Any]) -> Truth:
        if resource is None or self.field not in resource:
            return None
        return self._decide(kind_of(resource[self.field]), resource[self.field], self.value.evaluate(activation))

    def _decide(self, kind: Kind, attribute: Any, value: Any) -> Truth:
        if isinstance(value, _Error) or kind == "other":
            return None
        if self.op in ("==", "!="):
            if attribute is None or value is None:
                equal = attribute is None and value is None
            elif kind != kind_of(value):
                return None
            else:
                equal = attribute == value
            return equal if self.op == "==" else not equal
        if kind not in _ORDERED or kind != kind_of(value):
            return None  # ordering a null, a string or unlike types
        return _COMPARE[self.op](attribute, value)

    def rows(self, model: type[models.Model], activation: Mapping[str, Any]) -> Rows:
        field = _model_field(model, self.field)
        value = self.value.evaluate(activation)
        if field is None or isinstance(value, _Error) or field_kind(field) == "other":
            return Rows(NONE, NONE)
        kind, name = field_kind(field), field.attname
        is_null = Q(**{f"{name}__isnull": True}) if field.null else NONE
        if self.op in ("==", "!="):
            if value is None:
                equal = Rows(is_null, ~is_null)
            elif kind != kind_of(value):
                equal = Rows(NONE, is_null)  # null == x is false, x == "unlike" an error
            else:
                equal = Rows(Q(**{name: value}), is_null | ~Q(**{name: value}))
            return equal if self.op == "==" else Rows(equal.false, equal.true)
        if kind not in _ORDERED or kind != kind_of(value):
            return Rows(NONE, NONE)
        return Rows(Q(**{f"{name}__{_LOOKUP[self.op]}": value}), Q(**{f"{name}__{_LOOKUP[_OPPOSITE[self.op]]}": value}))


@dataclass(frozen=True)
class Member:
    """resource.<field> in <list>: items of another type never match; a null is in no list."""

    field: str
    values: Value

    def holds(self, resource: Mapping[str, Any] | None, activation: Mapping[str, Any]) -> Truth:
        if resource is None or self.field not in resource:
            return None
        values, attribute = self.values.evaluate(activation), resource[self.field]
        if not isinstance(values, list) or kind_of(attribute) == "other":
            return None
        return attribute is not None and attribute in [v for v in values if kind_of(v) == kind_of(attribute)]

    def rows(self, model: type[models.Model], activation: Mapping[str, Any]) -> Rows:
        field, values = _model_field(model, self.field), self.values.evaluate(activation)
        if field is None or not isinstance(values, list) or field_kind(field) == "other":
            return Rows(NONE, NONE)
        name = field.attname
        inside = Q(**{f"{name}__in": [v for v in values if kind_of(v) == field_kind(field)]})
        return Rows(inside, (Q(**{f"{name}__isnull": True}) | ~inside) if field.null else ~inside)


@dataclass(frozen=True)
class Has:
    """has(resource.<field>)"""

    field: str

    def holds(self, resource: Mapping[str, Any] | None, activation: Mapping[str, Any]) -> Truth:
        return None if resource is None else self.field in resource

    def rows(self, model: type[models.Model], activation: Mapping[str, Any]) -> Rows:
        return Rows.constant(_model_field(model, self.field) is not None)


@dataclass(frozen=True)
class Logic:
    op: str  # "&&", "||", "!"
    parts: tuple[Plan, ...]

    def holds(self, resource: Mapping[str, Any] | None, activation: Mapping[str, Any]) -> Truth:
        truths = [part.holds(resource, activation) for part in self.parts]
        if self.op == "!":
            return _not(truths[0])
        return (_and if self.op == "&&" else _or)(truths[0], truths[1])

    def rows(self, model: type[models.Model], activation: Mapping[str, Any]) -> Rows:
        parts = [part.rows(model, activation) for part in self.parts]
        if self.op == "!":
            return Rows(parts[0].false, parts[0].true)
        a, b = parts
        if self.op == "&&":
            return Rows(a.true & b.true, a.false | b.false)
        return Rows(a.true | b.true, a.false & b.false)


Plan = Value | Compare | Member | Has | Logic

# ---- Compiling ---------------------------------------------------------------------------

_WRAPPERS = frozenset(
    {"expr", "conditionalor", "conditionaland", "relation", "addition", "multiplication", "unary", "member",
     "primary", "paren_expr"}
)  # fmt: skip
_RELATIONS = {
    "relation_eq": "==",
    "relation_ne": "!=",
    "relation_lt": "<",
    "relation_le": "<=",
    "relation_gt": ">",
    "relation_ge": ">=",
    "relation_in": "in",
}
RESOURCE_FORMS = (
    "Where a condition uses `resource`, compare its fields (resource.<field> ==, !=, <, <=, >, >= or in a "
    "value without `resource`), test has(resource.<field>), and join those with &&, || and !."
)


@dataclass(frozen=True)
class Condition:
    source: str
    plan: Plan
    uses_resource: bool

    def holds(self, resource: Mapping[str, Any] | None, activation: Mapping[str, Any]) -> Truth:
        """True, False, or None for an error; a resource condition without a resource is an error."""
        return self.plan.holds(resource, activation)

    def rows(self, model: type[models.Model], activation: Mapping[str, Any]) -> Rows:
        return self.plan.rows(model, activation)


def compile_condition(source: str) -> Condition:
    """Parse, check and compile a condition; ConditionError says what to fix."""
    if len(source) > MAX_LENGTH:
        raise ConditionError(f"A condition is at most {MAX_LENGTH} characters long.")
    try:
        tree = _parse(source)
    except CELParseError as exc:
        where = f" (line {exc.line}, column {exc.column})" if exc.line else ""
        raise ConditionError(f"This is not a valid CEL expression{where}; check the syntax there.") from exc
    _check(tree)
    uses_resource = _mentions(tree, "resource")
    return Condition(source, _plan(tree) if uses_resource else _value(tree), uses_resource)


def _parse(source: str) -> lark.Tree[Any]:
    with _compile_lock:
        return _environment.compile(source)


def _nodes(tree: lark.Tree[Any]) -> Iterator[lark.Tree[Any]]:
    return tree.iter_subtrees()


def _name(node: lark.Tree[Any], index: int = 0) -> str:
    return str(next(child for child in node.children[index:] if isinstance(child, lark.Token)))


def _mentions(tree: lark.Tree[Any], identifier: str) -> bool:
    return any(node.data == "ident" and _name(node) == identifier for node in _nodes(tree))


def _check(tree: lark.Tree[Any]) -> None:
    bound = {
        _name(_unwrap(node.children[2].children[0]))
        for node in _nodes(tree)
        if node.data == "member_dot_arg"
        and _name(node, 1) in _COMPREHENSIONS
        and len(node.children) > 2
        and _unwrap(node.children[2].children[0]).data == "ident"
    }
    if clash := bound & ROOTS:
        raise ConditionError(f"`{sorted(clash)[0]}` cannot name a variable; pick another name.")
    for node in _nodes(tree):
        if node.data == "ident" and _name(node) not in ROOTS | bound:
            raise ConditionError(f"Unknown name `{_name(node)}`: conditions can use subject, resource and context.")
        if node.data in ("ident_arg", "member_dot_arg"):
            name = _name(node, 1 if node.data == "member_dot_arg" else 0)
            if name not in ALLOWED_CALLS:
                raise ConditionError(f"`{name}()` is not available in conditions.")
            if name == "inNetwork":
                _check_network(node)
        if node.data in ("dot_ident", "dot_ident_arg", "member_object"):
            raise ConditionError("Conditions cannot refer to packages or build messages.")


def _check_network(call: lark.Tree[Any]) -> None:
    """A literal network that cannot parse would refuse everyone: catch it before it is saved."""
    arguments = [child for child in call.children if isinstance(child, lark.Tree) and child.data == "exprlist"]
    for argument in arguments[0].children if arguments else []:
        literal = _unwrap(argument)
        if literal.data == "literal" and str(literal.children[0]).startswith(('"', "'")):
            network = str(literal.children[0])[1:-1]
            try:
                ipaddress.ip_network(network, strict=False)
            except ValueError as exc:
                raise ConditionError(f"{network!r} is not an IP network, e.g. 10.0.0.0/8.") from exc


def _unwrap(node: lark.Tree[Any]) -> lark.Tree[Any]:
    while node.data in _WRAPPERS and len(node.children) == 1 and isinstance(node.children[0], lark.Tree):
        node = node.children[0]
    return node


def _value(node: lark.Tree[Any]) -> Value:
    return Value(_environment.program(node, functions=FUNCTIONS))


def _field(node: lark.Tree[Any]) -> str | None:
    """`resource.<field>` → the field's name; anything else → None."""
    node = _unwrap(node)
    if node.data != "member_dot":
        return None
    target = _unwrap(node.children[0])
    return _name(node, 1) if target.data == "ident" and _name(target) == "resource" else None


def _plan(node: lark.Tree[Any]) -> Plan:
    node = _unwrap(node)
    if not _mentions(node, "resource"):
        return _value(node)
    if node.data in ("conditionalor", "conditionaland"):
        return Logic("||" if node.data == "conditionalor" else "&&", (_plan(node.children[0]), _plan(node.children[1])))
    if node.data == "unary" and node.children[0].data == "unary_not":
        return Logic("!", (_plan(node.children[1]),))
    if node.data == "relation":
        return _comparison(node)
    if node.data == "ident_arg" and _name(node) == "has":
        field = _field(node.children[1].children[0])
        if field is not None and len(node.children[1].children) == 1:
            return Has(field)
    if (field := _field(node)) is not None:
        return Compare(field, "==", _value(_parse("true")))
    raise ConditionError(RESOURCE_FORMS)


def _comparison(node: lark.Tree[Any]) -> Plan:
    relation, right = node.children
    op, left = _RELATIONS[relation.data], relation.children[0]
    left_field, right_field = _field(left), _field(right)
    if op == "in" and left_field is not None and not _mentions(right, "resource"):
        return Member(left_field, _value(right))
    if op != "in" and left_field is not None and not _mentions(right, "resource"):
        return Compare(left_field, op, _value(right))
    if op != "in" and right_field is not None and not _mentions(left, "resource"):
        return Compare(right_field, _FLIPPED[op], _value(left))
    raise ConditionError(RESOURCE_FORMS)
