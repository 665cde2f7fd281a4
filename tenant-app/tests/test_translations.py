"""The tenant app in German and English: problem details and field errors in the language Accept-Language asks for
(LocaleMiddleware among LANGUAGES), account emails in the language the shopper signed up in, invoices labelled in
the reader's language; and the committed .mo catalogue says what its .po says."""

from __future__ import annotations

import gettext
import io
import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from tenant_app.accounts.models import MAX_ADDRESSES_PER_USER, Address, User
from tenant_app.tenancy.context import tenant_transaction
from tenantry_kernel.testing.mail import MailSink
from tenantry_kernel.testing.problems import problem

from .conftest import ShardTenant
from .shop import Store, money

LOCALE = Path(__file__).resolve().parents[1] / "tenant_app" / "locale"
BOOK = "/api/v1/me/addresses/"
HOME = {
    "name": "Erika Mustermann",
    "street_address_1": "Heidestraße 17",
    "city": "Köln",
    "postal_code": "51147",
    "country": "DE",
}


def po_entries(path: Path) -> dict[str, str]:
    """msgid → msgstr of a .po file (the header excluded)."""
    entries: dict[str, str] = {}
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        parts = re.split(r"^(msgid|msgstr) ", block, flags=re.M)
        fields = dict(zip(parts[1::2], parts[2::2], strict=True))
        if "msgid" not in fields:
            continue

        def text(quoted: str) -> str:
            return "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', quoted)).replace('\\"', '"')

        if msgid := text(fields["msgid"]):
            entries[msgid] = text(fields["msgstr"])
    return entries


def test_the_committed_german_catalogue_is_complete_and_compiled() -> None:
    po = po_entries(LOCALE / "de" / "LC_MESSAGES" / "django.po")
    with (LOCALE / "de" / "LC_MESSAGES" / "django.mo").open("rb") as mo:
        compiled = gettext.GNUTranslations(mo)

    assert len(po) > 30
    untranslated = [msgid for msgid, msgstr in po.items() if not msgstr]
    assert untranslated == []
    stale = [msgid for msgid, msgstr in po.items() if compiled.gettext(msgid) != msgstr]
    assert stale == [], "run `make messages` to compile the .po files"


@pytest.fixture
def store(shard: tuple[str, list[ShardTenant]]) -> Store:
    return Store(shard[1][0])


def test_problem_details_speak_the_language_asked_for(store: Store) -> None:
    bad = {**HOME, "postal_code": "ABC"}

    english = store.call("customer", "post", BOOK, bad)
    german = store.call("customer", "post", BOOK, bad, HTTP_ACCEPT_LANGUAGE="de-DE,de;q=0.9,en;q=0.5")
    unknown = store.call("customer", "post", BOOK, bad, HTTP_ACCEPT_LANGUAGE="xx")

    assert problem(english) == {
        "code": "invalid",
        "detail": "Some fields are invalid; see errors.",
        "errors": {"/postal_code": ["This is not a postal code of the address's country; check its format."]},
    }
    assert problem(german) == {
        "code": "invalid",
        "detail": "Einige Felder sind ungültig; siehe errors.",
        "errors": {"/postal_code": ["Das ist keine Postleitzahl des Landes dieser Adresse; prüfen Sie ihr Format."]},
    }
    assert german["Content-Language"] == "de"
    assert problem(unknown)["detail"] == "Some fields are invalid; see errors."  # not a store language: the default


def test_a_conflicts_detail_is_german_with_its_figures(store: Store) -> None:
    with tenant_transaction(store.tenant.route):
        owner = User.objects.get(pk=store.ids["customer"])
        Address.objects.bulk_create(
            Address(owner=owner, name=f"Box {n}", street_address_1="Postfach", postal_code="10115", country="DE")
            for n in range(MAX_ADDRESSES_PER_USER)
        )

    full = store.call("customer", "post", BOOK, HOME, HTTP_ACCEPT_LANGUAGE="de")

    assert problem(full) == {
        "code": "address_limit",
        "detail": f"Ein Adressbuch enthält höchstens {MAX_ADDRESSES_PER_USER} Adressen; löschen Sie zuerst eine, "
        "die Sie nicht mehr verwenden.",
    }


def test_a_shopper_who_signs_up_in_german_gets_german_email(store: Store, mail: MailSink) -> None:
    body = {"email": "lena@example.test", "password": "a long enough passphrase", "full_name": "Lena Vogel"}
    created = store.call(None, "post", "/api/v1/auth/register/", body, HTTP_ACCEPT_LANGUAGE="de")
    assert created.status_code == 201, created.content
    english = store.call(
        None, "post", "/api/v1/auth/register/", {**body, "email": "liam@example.test", "full_name": "Liam Byrne"}
    )
    assert english.status_code == 201, english.content

    (german_mail,) = mail.wait_for("lena@example.test")
    (english_mail,) = mail.wait_for("liam@example.test")

    assert german_mail["Subject"] == "Bestätigen Sie Ihre E-Mail-Adresse"
    german_text = german_mail.get_content().replace("\r\n", "\n")
    assert german_text.startswith("Hallo Lena Vogel,\n\nbitte bestätigen Sie, dass lena@example.test Ihre Adresse für ")
    assert "Der Link funktioniert einmal und läuft in wenigen Tagen ab." in german_text
    assert english_mail["Subject"] == "Confirm your email address"
    assert (
        english_mail.get_content()
        .replace("\r\n", "\n")
        .startswith("Hello Liam Byrne,\n\nplease confirm that liam@example.test is ")
    )


def test_an_invoice_is_labelled_in_the_readers_language(store: Store) -> None:
    bell = store.product("Glocke", "5.25")
    placed = store.call("customer", "post", "/api/v1/orders/", {"lines": [{"product": bell, "quantity": 2}]})
    order_id = placed.json()["id"]
    paid = store.call(
        "manager", "post", f"/api/v1/orders/{order_id}/pay/", {"amount": money("10.50"), "payment_reference": "p"}
    )
    assert paid.status_code == 200, paid.content

    def text(**headers: str) -> str:
        response = store.call("customer", "get", f"/api/v1/orders/{order_id}/invoice.pdf", **headers)
        assert response.status_code == 200, response.content
        return PdfReader(io.BytesIO(response.content)).pages[0].extract_text()

    german, english = text(HTTP_ACCEPT_LANGUAGE="de"), text()

    assert "Rechnung 000001" in german
    assert "Gesamt" in german
    assert "10,50 EUR" in german  # German number format
    assert "Invoice 000001" in english
    assert "10.50 EUR" in english
