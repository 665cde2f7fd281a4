"""A consumer's declaration is checked against the event registry when it is made (no servers needed)."""

from __future__ import annotations

import importlib
import textwrap
from pathlib import Path

import pytest

from tenantry_kernel.events.consumer import InvalidSubscription, Subscription, event_handlers
from tenantry_kernel.events.envelope import Event
from tenantry_kernel.events.registry import registry


def handle(event: Event) -> None:
    pass


def test_a_module_handling_a_misspelt_type_fails_to_import(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "misspelt_consumer.py").write_text(
        textwrap.dedent(
            """
            from tenantry_kernel.events.consumer import event_handlers

            def on_published(event):
                pass

            HANDLERS = event_handlers(__name__, {"catalog.product.publishd": on_published})
            """
        )
    )
    monkeypatch.syspath_prepend(str(tmp_path))

    with pytest.raises(InvalidSubscription) as refused:
        importlib.import_module("misspelt_consumer")

    assert str(refused.value) == (
        "misspelt_consumer handles 'catalog.product.publishd', which is not a registered event type "
        "(did you mean 'catalog.product.published'?); fix the name, or register the type in "
        "tenantry_kernel.events.registry"
    )


def test_a_subscription_handling_a_misspelt_type_is_refused_when_created() -> None:
    with pytest.raises(InvalidSubscription) as refused:
        Subscription(name="test.members", bindings=["*.member.invited"], handlers={"member.invitd": handle})

    assert str(refused.value) == (
        "consumer 'test.members' handles 'member.invitd', which is not a registered event type "
        "(did you mean 'member.invited'?); fix the name, or register the type in tenantry_kernel.events.registry"
    )


def test_a_subscription_bound_to_types_it_has_no_handler_for_is_refused_when_created() -> None:
    with pytest.raises(InvalidSubscription) as refused:
        Subscription(name="test.members", bindings=["*.member.*"], handlers={"member.invited": handle})

    assert str(refused.value) == (
        "consumer 'test.members' is bound to '*.member.*' but has no handler for member.removed, "
        "member.role_changed; add one, or narrow the binding (those events would all be dead-lettered)"
    )


def test_a_declared_type_without_a_function_has_no_handler() -> None:
    with pytest.raises(InvalidSubscription) as refused:
        event_handlers("control_plane.billing.events", {"usage.reported": None})  # type: ignore[dict-item]

    assert str(refused.value) == (
        "control_plane.billing.events has no handler for 'usage.reported' (None is not a function); "
        "map the type to the function that handles it, or leave it out"
    )


def test_bindings_read_per_tenant_are_checked_when_read() -> None:
    subscription = Subscription(
        name="test.members", bindings=lambda: ["alpha.member.*"], handlers={"member.invited": handle}
    )

    with pytest.raises(
        InvalidSubscription, match=r"bound to 'alpha\.member\.\*' but has no handler for member\.removed"
    ):
        subscription.current_bindings()


def test_a_binding_that_routes_no_registered_type_is_refused() -> None:
    with pytest.raises(InvalidSubscription) as refused:
        Subscription(name="test.usage", bindings=["usage.reported"], handlers={"usage.reported": handle})

    assert str(refused.value) == (
        "consumer 'test.usage' is bound to 'usage.reported', which routes no registered event type to it; "
        "a binding is `<tenant>.<type>`, where * stands for one word and # for any number"
    )


def test_a_subscription_that_agrees_with_the_registry_is_made() -> None:
    handlers = event_handlers(
        __name__, {name: handle for name in ("member.invited", "member.role_changed", "member.removed")}
    )

    subscription = Subscription(name="test.members", bindings=(f"{t}.member.*" for t in ("a", "b")), handlers=handlers)

    assert subscription.current_bindings() == {"a.member.*", "b.member.*"}
    assert subscription.current_bindings() == {"a.member.*", "b.member.*"}  # read twice: kept, not a spent generator


@pytest.mark.parametrize(
    ("binding", "types"),
    [
        ("acme.usage.reported", ["usage.reported"]),
        ("*.usage.reported", ["usage.reported"]),
        ("#.usage.reported", ["usage.reported"]),
        (
            "acme.catalog.product.*",
            [f"catalog.product.{verb}" for verb in ("created", "published", "unpublished", "updated")],
        ),
        ("*.member.#", ["member.invited", "member.removed", "member.role_changed"]),
        ("*.usage", []),
        ("usage.reported", []),
        ("*.*.reported", ["usage.reported"]),
    ],
)
def test_a_binding_routes_the_registered_types_its_topic_pattern_matches(binding: str, types: list[str]) -> None:
    assert [event_type.name for event_type in registry.routed_by(binding)] == types
