"""Every change of a cart and its checkout: lines and their stock reservations, details, merge, expiry, completion.

Stock is only ever changed under the Stock rows' locks, taken in one fixed order (ids ascending) by a single
`SELECT … FOR UPDATE … ORDER BY id`, so two carts never wait on each other in a cycle (no deadlock) and
`quantity_reserved` always equals the sum of the reservation rows (the catalog's check keeps it within
`quantity`, so nothing is ever oversold). A cart's own row is locked first, then its voucher, then its stock.
Completion is one transaction: stock taken, reservations gone, voucher counted, the order placed in the order
ledger (order.placed with variant lines, currency and rates, emitted through the outbox), the cart closed.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from rest_framework.exceptions import APIException, ErrorDetail, ValidationError

from tenant_app.accounts.models import User
from tenant_app.catalog.models import ProductVariant, Stock, StoreSettings
from tenant_app.catalog.pricing import offered_currencies, price_of
from tenant_app.checkout import selectors
from tenant_app.checkout.errors import OutOfStock, Refused, conflict, invalid
from tenant_app.checkout.models import (
    Cart,
    CartLine,
    CartStatus,
    CheckoutCompletion,
    CheckoutSettings,
    OrderAllocation,
    Reservation,
    ShippingMethod,
    Voucher,
    VoucherRedemption,
)
from tenant_app.checkout.totals import Totals, TotalsError
from tenant_app.orders.actions import place_checkout_order
from tenant_app.orders.events import CheckoutCharges, CheckoutLine
from tenant_app.orders.ledger import max_total
from tenant_app.orders.models import OrderSummary
from tenantry_kernel.addresses import AddressError, normalize_address

TOKEN_BYTES = 32
MAX_KEY_LENGTH = 200


# ---- Carts ---------------------------------------------------------------------------------


def create_cart(user: User | None, *, currency: str = "", language: str = "") -> tuple[Cart, str | None]:
    """A new open cart: the signed-in user's (their open one, if they have it) or a guest's with a new token."""
    store = StoreSettings.current()
    currency = currency or store.default_currency
    language = language or store.default_language
    if currency not in (offered := offered_currencies(store)):
        message = f"The store does not sell in {currency!r}; pick one of {', '.join(offered)}."
        raise invalid("currency", message, "currency_not_offered")
    if language not in (languages := [store.default_language, *store.languages]):
        message = f"The store is not in {language!r}; pick one of {', '.join(dict.fromkeys(languages))}."
        raise invalid("language", message, "language_not_offered")
    if user is not None:
        with transaction.atomic():
            existing = Cart.objects.select_for_update().filter(user=user, status=CartStatus.OPEN).first()
            if existing is not None:
                return existing, None
            return Cart.objects.create(user=user, currency=currency, language=language), None
    token = secrets.token_urlsafe(TOKEN_BYTES)
    cart = Cart.objects.create(token_hash=selectors.token_hash(token), currency=currency, language=language)
    return cart, token


def _locked_open(cart: Cart) -> Cart:
    """The cart's row, locked, refusing a closed one; an expired one is closed first (its stock released)."""
    locked = Cart.objects.select_for_update().get(pk=cart.pk)
    if locked.status == CartStatus.OPEN and _has_expired(locked):
        _expire(locked)
    if locked.status != CartStatus.OPEN:
        raise conflict(f"Cart {locked.pk} is {locked.status}; start a new cart.", "cart_closed")
    return locked


def _touch(cart: Cart) -> None:
    cart.updated_at = timezone.now()
    cart.save(update_fields=["updated_at"])


def _check_quantity(quantity: int, limits: CheckoutSettings, field: str = "quantity") -> None:
    if not 1 <= quantity <= limits.max_quantity:
        message = f"A line's quantity is between 1 and {limits.max_quantity}; {quantity} is not."
        raise invalid(field, message, "quantity_out_of_range")


def add_line(cart: Cart, variant_id: int, quantity: int) -> CartLine:
    """Add `quantity` of a variant for sale (to its line if the cart has one), reserving the stock."""
    limits = CheckoutSettings.current()
    _check_quantity(quantity, limits)
    variant = ProductVariant.objects.select_related("product").filter(pk=variant_id, product__published=True).first()
    if variant is None:
        raise invalid(
            "variant", f"No variant with the id {variant_id} is for sale; pick a published one.", "not_for_sale"
        )
    with transaction.atomic():
        cart = _locked_open(cart)
        line = cart.lines.filter(variant=variant).first()
        if line is None and cart.lines.count() >= limits.max_lines:
            message = f"A cart holds at most {limits.max_lines} lines; complete this one or remove some."
            raise invalid("variant", message, "too_many_lines")
        total = quantity + (line.quantity if line else 0)
        _check_quantity(total, limits)
        priced = price_of(variant, cart.currency)
        if line is None:
            line = CartLine(cart=cart, variant=variant, quantity=total, unit_price=priced.amount, rate=priced.rate)
            line.save(force_insert=True)
        else:
            line.quantity, line.unit_price, line.rate = total, priced.amount, priced.rate
            line.save(update_fields=["quantity", "unit_price", "rate"])
        _reserve({line.pk: total}, [line], limits)
        _touch(cart)
    return line


def change_line(cart: Cart, line_id: int, quantity: int) -> CartLine | None:
    """Set a line's quantity (0 removes it), reserving more stock or giving some back."""
    limits = CheckoutSettings.current()
    if quantity != 0:
        _check_quantity(quantity, limits)
    with transaction.atomic():
        cart = _locked_open(cart)
        line = cart.lines.select_related("variant").filter(pk=line_id).first()
        if line is None:
            raise invalid("line", f"The cart has no line {line_id}.", "no_such_line")
        _reserve({line.pk: quantity}, [line], limits)
        if quantity == 0:
            line.delete()
            _touch(cart)
            return None
        priced = price_of(line.variant, cart.currency)
        line.quantity, line.unit_price, line.rate = quantity, priced.amount, priced.rate
        line.save(update_fields=["quantity", "unit_price", "rate"])
        _touch(cart)
    return line


def _address(data: Mapping[str, Any] | None, field: str) -> dict[str, str]:
    if not isinstance(data, Mapping):
        raise invalid(field, "An address is an object of fields (country, city, street_address_1, …).", "invalid")
    try:
        return normalize_address({str(key): str(value) for key, value in data.items()})
    except AddressError as exc:
        errors = {
            name: [ErrorDetail(message, code) for code, message in problems] for name, problems in exc.errors.items()
        }
        raise ValidationError({field: errors}) from exc


def update_details(cart: Cart, changes: Mapping[str, Any]) -> Cart:
    """Set some of email, shipping and billing address, shipping method and voucher code ("" takes it off).

    Lines are re-priced to today's prices too, which is how a shopper accepts changed prices."""
    with transaction.atomic():
        cart = _locked_open(cart)
        fields = ["updated_at"]
        if "email" in changes:
            cart.email = changes["email"]
            fields.append("email")
        for field in ("shipping_address", "billing_address"):
            if field in changes:
                setattr(cart, field, _address(changes[field], field) if changes[field] else {})
                fields.append(field)
        if "voucher" in changes:
            cart.voucher = _usable_voucher(changes["voucher"], cart) if changes["voucher"] else None
            fields.append("voucher")
        if "shipping_method" in changes:
            cart.shipping_method = None
            if changes["shipping_method"] is not None:
                cart.shipping_method = _available_method(cart, changes["shipping_method"], "shipping_method")
            fields.append("shipping_method")
        cart.updated_at = timezone.now()
        cart.save(update_fields=fields)
        _reprice(cart)
        try:
            selectors.totals_of(cart, strict=bool(cart.voucher))
        except TotalsError as exc:
            raise invalid("voucher", str(exc), exc.code) from exc
    return cart


def _reprice(cart: Cart, lines: list[CartLine] | None = None) -> list[str]:
    """Bring every line to today's price in the cart's currency; the SKUs whose price changed."""
    changed = []
    for line in selectors.lines_of(cart) if lines is None else lines:
        priced = price_of(line.variant, cart.currency)
        if (priced.amount, priced.rate) != (line.unit_price, line.rate):
            line.unit_price, line.rate = priced.amount, priced.rate
            line.save(update_fields=["unit_price", "rate"])
            changed.append(line.variant.sku)
    return changed


def _usable_voucher(code: str, cart: Cart, *, lock: bool = False) -> Voucher:
    vouchers = Voucher.objects.select_for_update() if lock else Voucher.objects
    voucher = vouchers.filter(code=str(code).strip().upper()).first()
    now = timezone.now()
    if (
        voucher is None
        or not voucher.active
        or (voucher.starts_at is not None and now < voucher.starts_at)
        or (voucher.ends_at is not None and now >= voucher.ends_at)
        or (voucher.usage_limit is not None and voucher.used >= voucher.usage_limit)
    ):
        raise Refused(f"The voucher {code!r} is unknown, not active now, or used up.", "voucher_invalid")
    customer = _customer_key(cart)
    once = voucher.once_per_customer and bool(customer)
    if once and VoucherRedemption.objects.filter(voucher=voucher, customer=customer, once=True).exists():
        message = f"You have used the voucher {voucher.code} already; it is once per customer."
        raise conflict(message, "voucher_already_used")
    return voucher


def _customer_key(cart: Cart) -> str:
    return f"user:{cart.user_id}" if cart.user_id else cart.email.lower()


def _available_method(cart: Cart, method_id: Any, field: str, lines: list[CartLine] | None = None) -> ShippingMethod:
    country = selectors.country_of(cart)
    if not country:
        raise invalid(
            field, "Set the shipping address first: the methods depend on its country.", "no_shipping_address"
        )
    weight = selectors.weight_of(selectors.lines_of(cart) if lines is None else lines)
    method = selectors.shipping_methods_for(country, weight, cart.currency).filter(pk=method_id).first()
    if method is None:
        message = f"Shipping method {method_id} does not ship {weight} g to {country} in {cart.currency}."
        raise invalid(field, message, "shipping_method_unavailable")
    return method


# ---- Reservations --------------------------------------------------------------------------


def _locked_stocks(variant_ids: Iterable[int]) -> dict[int, list[Stock]]:
    """The variants' Stock rows locked in ascending id order (one statement: one order for every transaction)."""
    rows = Stock.objects.select_for_update().filter(variant_id__in=sorted(set(variant_ids))).order_by("id")
    by_variant: dict[int, list[Stock]] = defaultdict(list)
    for stock in rows:
        by_variant[stock.variant_id].append(stock)
    return by_variant


def _reserve(wanted: Mapping[int, int], lines: list[CartLine], limits: CheckoutSettings) -> None:
    """Make each line's reservations add up to `wanted[line.pk]`, taking free stock or giving some back."""
    stocks = _locked_stocks(line.variant_id for line in lines)
    expires_at = timezone.now() + limits.reservation_period
    short: list[dict[str, Any]] = []
    for line in lines:
        held = {r.stock_id: r for r in Reservation.objects.filter(line=line)}
        by_id = {stock.pk: stock for stock in stocks[line.variant_id]}
        delta = wanted[line.pk] - sum(r.quantity for r in held.values())
        if delta > 0:
            free = sum(stock.quantity - stock.quantity_reserved for stock in by_id.values())
            if free < delta:
                short.append(_short(line, wanted[line.pk], free + wanted[line.pk] - delta))
                continue
            for stock in by_id.values():
                take = min(delta, stock.quantity - stock.quantity_reserved)
                if take <= 0:
                    continue
                stock.quantity_reserved += take
                stock.save(update_fields=["quantity_reserved"])
                if stock.pk in held:
                    held[stock.pk].quantity += take
                    held[stock.pk].save(update_fields=["quantity"])
                else:
                    held[stock.pk] = Reservation.objects.create(
                        line=line, stock=stock, quantity=take, expires_at=expires_at
                    )
                delta -= take
                if delta == 0:
                    break
        elif delta < 0:
            for reservation in sorted(held.values(), key=lambda r: -r.stock_id):
                give = min(-delta, reservation.quantity)
                stock = by_id[reservation.stock_id]
                stock.quantity_reserved -= give
                stock.save(update_fields=["quantity_reserved"])
                reservation.quantity -= give
                if reservation.quantity == 0:
                    reservation.delete()
                    del held[reservation.stock_id]
                else:
                    reservation.save(update_fields=["quantity"])
                delta += give
                if delta == 0:
                    break
        Reservation.objects.filter(line=line).update(expires_at=expires_at)
    if short:
        raise OutOfStock(short)


def _short(line: CartLine, requested: int, available: int, pointer: str = "/quantity") -> dict[str, Any]:
    return {
        "pointer": pointer,
        "line": line.pk,
        "variant": line.variant_id,
        "sku": line.variant.sku,
        "requested": requested,
        "available": max(available, 0),
    }


def _release(which: Q) -> int:
    """Give back the reservations matching `which`; units released.

    The Stock rows are locked first (ids ascending, as everywhere), then the reservations are read again: one
    released meanwhile by someone else (the expiry task, a checkout) is gone by then and is not counted twice."""
    stock_ids = sorted(set(Reservation.objects.filter(which).values_list("stock_id", flat=True)))
    if not stock_ids:
        return 0
    stocks = {stock.pk: stock for stock in Stock.objects.select_for_update().filter(pk__in=stock_ids).order_by("id")}
    current = list(Reservation.objects.filter(which, stock_id__in=stock_ids))
    for reservation in current:
        stocks[reservation.stock_id].quantity_reserved -= reservation.quantity
    for stock in stocks.values():
        stock.save(update_fields=["quantity_reserved"])
    Reservation.objects.filter(pk__in=[r.pk for r in current]).delete()
    return sum(r.quantity for r in current)


def _has_expired(cart: Cart) -> bool:
    limits = CheckoutSettings.current()
    return cart.updated_at + timedelta(hours=limits.cart_ttl_hours) <= timezone.now()


def _expire(cart: Cart) -> int:
    released = _release(Q(line__cart=cart))
    cart.status = CartStatus.EXPIRED
    cart.save(update_fields=["status"])
    return released


def release_expired_reservations(now: datetime | None = None) -> int:
    """Give back every reservation past its time and expire carts untouched for too long; units released.

    Idempotent and safe beside shoppers: each batch locks its stock rows as checkout does (ids ascending),
    and a reservation renewed meanwhile is re-read under the lock and kept."""
    now = now or timezone.now()
    limits = CheckoutSettings.current()
    released = 0
    with transaction.atomic():
        # Carts a shopper is using right now are skipped: the next run (or the shopper's next read) gets them.
        stale_carts = Cart.objects.select_for_update(skip_locked=True).filter(
            status=CartStatus.OPEN, updated_at__lte=now - timedelta(hours=limits.cart_ttl_hours)
        )
        for cart in stale_carts:
            released += _expire(cart)
        released += _release(Q(expires_at__lte=now))
    return released


def release_if_expired(cart: Cart) -> Cart:
    """On reading a cart: an expired cart is closed and gives its stock back; lapsed reservations are freed."""
    now = timezone.now()
    needs_release = Reservation.objects.filter(line__cart=cart, expires_at__lte=now).exists()
    if cart.status != CartStatus.OPEN or (not needs_release and not _has_expired(cart)):
        return cart
    with transaction.atomic():
        locked = Cart.objects.select_for_update().get(pk=cart.pk)
        if locked.status == CartStatus.OPEN and _has_expired(locked):
            _expire(locked)
        else:
            _release(Q(line__cart=locked, expires_at__lte=now))
    return locked


# ---- Sign-in: a guest's cart joins the shopper's -----------------------------------------------


def merge_guest_cart(user: User, guest: Cart) -> Cart:
    """Fold the guest's open cart into `user`'s (made if need be): quantities add up within stock and limits.

    A line that cannot have all of it keeps what stock and the quantity limit allow; the guest cart's
    reservations move with its lines and the guest cart is closed as merged."""
    limits = CheckoutSettings.current()
    own, _ = create_cart(user, currency=guest.currency, language=guest.language)
    with transaction.atomic():
        # Both cart rows, in id order, so two merges of the same pair never wait on each other in a cycle.
        locked = {c.pk: c for c in Cart.objects.select_for_update().filter(pk__in=[own.pk, guest.pk]).order_by("id")}
        own, guest = locked[own.pk], locked[guest.pk]
        if guest.status != CartStatus.OPEN or guest.user_id is not None:
            raise conflict(f"Cart {guest.pk} is not an open guest cart.", "cart_closed")
        guest_lines = selectors.lines_of(guest)
        own_lines = {line.variant_id: line for line in selectors.lines_of(own)}
        # Give the guest's stock back, then reserve the sums for the shopper's lines in one locked pass.
        _release(Q(line__cart=guest))
        added: dict[int, int] = {}  # variant → quantity the guest brings
        for guest_line in guest_lines:
            added[guest_line.variant_id] = guest_line.quantity
        stocks = _locked_stocks(added)
        touched: list[CartLine] = []
        wanted: dict[int, int] = {}
        for guest_line in guest_lines:
            variant_id = guest_line.variant_id
            line = own_lines.get(variant_id)
            held = sum(r.quantity for r in Reservation.objects.filter(line=line)) if line else 0
            free = sum(stock.quantity - stock.quantity_reserved for stock in stocks[variant_id])
            quantity = min((line.quantity if line else 0) + added[variant_id], limits.max_quantity, held + free)
            if quantity < 1:
                continue  # no stock left for it: the shopper's line (if any) stays as it is
            if line is None:
                if len(own_lines) >= limits.max_lines:
                    continue  # no room: the guest's line is dropped
                priced = price_of(guest_line.variant, own.currency)
                line = CartLine.objects.create(
                    cart=own, variant=guest_line.variant, quantity=quantity, unit_price=priced.amount, rate=priced.rate
                )
                own_lines[variant_id] = line
            wanted[line.pk] = quantity
            touched.append(line)
        if touched:
            _reserve(wanted, touched, limits)
            for line in touched:
                line.quantity = wanted[line.pk]
                line.save(update_fields=["quantity"])
        if not own.email and guest.email:
            own.email = guest.email
        for field in ("shipping_address", "billing_address"):
            if not getattr(own, field) and getattr(guest, field):
                setattr(own, field, getattr(guest, field))
        own.voucher = own.voucher or guest.voucher
        own.updated_at = timezone.now()
        own.save(update_fields=["email", "shipping_address", "billing_address", "voucher", "updated_at"])
        guest.status = CartStatus.MERGED
        guest.save(update_fields=["status"])
    return own


# ---- Completion --------------------------------------------------------------------------------


def body_hash(cart: Cart, body: Any) -> str:
    canonical = json.dumps({"cart": str(cart.pk), "body": body}, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True)
class Completed:
    order: OrderSummary
    replayed: bool  # the same key and body came before: the same order, nothing done now


def _replay(key: str, digest: str) -> Completed | None:
    done = CheckoutCompletion.objects.filter(key=key).first()
    if done is None:
        return None
    if done.body_hash != digest:
        message = "This Idempotency-Key completed a different request; use a new key for this one."
        raise Refused(message, "idempotency_key_reused") from None
    return Completed(OrderSummary.objects.get(pk=done.order_id), replayed=True)


def complete_checkout(actor: User | None, cart: Cart, *, key: str, body: Any) -> Completed:
    """Turn the cart into an order, once per Idempotency-Key (see the module's notes).

    Everything that needs no stock lock comes first (checks, prices, the order in the ledger); the Stock rows
    are locked last, so a popular variant's row is held for a few statements and the commit, not the whole
    checkout. Out of stock undoes all of it."""
    if not key or len(key) > MAX_KEY_LENGTH:
        raise Refused("Send an Idempotency-Key header of 1 to 200 characters.", "idempotency_key_required")
    digest = body_hash(cart, body)
    with transaction.atomic():
        try:
            locked = _locked_open(cart)
        except APIException:
            # A concurrent request with this key may have completed the cart: answer as it did.
            if (done := _replay(key, digest)) is not None:
                return done
            raise
        if (done := _replay(key, digest)) is not None:
            return done
        lines = selectors.lines_of(locked)
        # Today's prices are stored either way: a 409 does not roll the request back, so the cart shows them.
        changed = _reprice(locked, lines)
        if not changed:
            order = _place(actor, locked, lines, key, digest)
    if changed:
        message = f"Prices changed since they were added ({', '.join(changed)}); review the cart and complete it again."
        raise conflict(message, "prices_changed")
    return Completed(order, replayed=False)


def _place(actor: User | None, cart: Cart, lines: list[CartLine], key: str, digest: str) -> OrderSummary:
    _check_ready(cart, lines)
    try:
        totals = selectors.totals_of(cart, lines, strict=True)
    except TotalsError as exc:
        raise Refused(str(exc), exc.code) from exc
    largest = max_total(cart.currency)
    if totals.gross > largest:
        message = f"The order's total {totals.gross} {cart.currency} exceeds {largest}; split it into several orders."
        raise invalid("lines", message, "total_too_large")
    order = place_checkout_order(
        cart.user_id,
        _order_lines(lines, totals),
        CheckoutCharges(
            currency=cart.currency,
            shipping=totals.shipping_gross,
            discount=totals.discount,
            tax=totals.tax,
            total=totals.gross,
            prices_include_tax=totals.prices_include_tax,
            checkout_id=str(cart.pk),
            email=cart.email,
        ),
        actor_id=actor.pk if actor is not None else None,
    )
    if cart.voucher is not None:
        _redeem(cart, order.pk)
    cart.status, cart.order_id, cart.updated_at = CartStatus.COMPLETED, order.pk, timezone.now()
    cart.save(update_fields=["status", "order_id", "updated_at"])
    try:
        with transaction.atomic():
            CheckoutCompletion.objects.create(key=key, body_hash=digest, cart=cart, order_id=order.pk)
    except IntegrityError as exc:
        # The same key, at the same moment, for another cart: that one got it, this one undoes everything.
        message = "This Idempotency-Key completed a different request; use a new key for this one."
        raise Refused(message, "idempotency_key_reused") from exc
    taken = _take_stock(lines)  # last: see complete_checkout
    OrderAllocation.objects.bulk_create(
        OrderAllocation(order_id=order.pk, stock_id=stock_id, quantity=quantity)
        for stock_id, quantity in sorted(taken.items())
    )
    return order


def _check_ready(cart: Cart, lines: list[CartLine]) -> None:
    missing: dict[str, list[ErrorDetail]] = {}
    if not lines:
        missing["lines"] = [ErrorDetail("The cart is empty; add a line first.", "empty_cart")]
    if not cart.email:
        missing["email"] = [ErrorDetail("An email address is needed for the order.", "required")]
    if not cart.shipping_address:
        missing["shipping_address"] = [ErrorDetail("A shipping address is needed.", "required")]
    if not cart.billing_address:
        missing["billing_address"] = [ErrorDetail("A billing address is needed.", "required")]
    if cart.shipping_method is None:
        missing["shipping_method"] = [ErrorDetail("Pick a shipping method.", "required")]
    if missing:
        raise ValidationError(missing)
    assert cart.shipping_method is not None  # checked above
    # The method must still ship this parcel to this country (the lines or the method may have changed).
    _available_method(cart, cart.shipping_method.pk, "shipping_method", lines)
    if cart.voucher is not None:
        _usable_voucher(cart.voucher.code, cart)


def _take_stock(lines: list[CartLine]) -> dict[int, int]:
    """Each line's quantity out of stock, its reservations first, then free stock; OutOfStock names the short lines.

    Stock rows are locked ids ascending. Returns the units taken per Stock row."""
    stocks = _locked_stocks(line.variant_id for line in lines)
    reservations: dict[int, list[Reservation]] = defaultdict(list)
    for reservation in Reservation.objects.filter(line__in=lines):
        reservations[reservation.line_id].append(reservation)
    taken: dict[int, int] = defaultdict(int)
    short: list[dict[str, Any]] = []
    for index, line in enumerate(lines):
        by_id = {stock.pk: stock for stock in stocks[line.variant_id]}
        held = reservations[line.pk]
        need = line.quantity
        for reservation in held:
            use = min(need, reservation.quantity)
            stock = by_id[reservation.stock_id]
            stock.quantity -= use
            stock.quantity_reserved -= reservation.quantity  # all of the reservation goes, used or not
            taken[stock.pk] += use
            need -= use
        for stock in by_id.values():
            if need == 0:
                break
            use = min(need, stock.quantity - stock.quantity_reserved)
            if use > 0:
                stock.quantity -= use
                taken[stock.pk] += use
                need -= use
        if need > 0:
            short.append(_short(line, line.quantity, line.quantity - need, f"/lines/{index}/quantity"))
    if short:
        raise OutOfStock(short)
    for variant_stocks in stocks.values():
        for stock in variant_stocks:
            if stock.pk in taken or any(r.stock_id == stock.pk for rs in reservations.values() for r in rs):
                stock.save(update_fields=["quantity", "quantity_reserved"])
    Reservation.objects.filter(line__in=lines).delete()
    return dict(taken)


def _redeem(cart: Cart, order_id: Any) -> None:
    """Count the voucher's use in this transaction, under its row lock; once-per-customer by a unique constraint."""
    assert cart.voucher is not None
    voucher = _usable_voucher(cart.voucher.code, cart, lock=True)
    voucher.used += 1
    voucher.save(update_fields=["used"])
    try:
        with transaction.atomic():
            VoucherRedemption.objects.create(
                voucher=voucher, customer=_customer_key(cart), once=voucher.once_per_customer, order_id=order_id
            )
    except IntegrityError as exc:
        message = f"You have used the voucher {voucher.code} already; it is once per customer."
        raise conflict(message, "voucher_already_used") from exc


def _order_lines(lines: list[CartLine], totals: Totals) -> list[CheckoutLine]:
    priced = {line.key: line for line in totals.lines}
    return [
        CheckoutLine(
            product_id=str(line.variant.product_id),
            variant_id=str(line.variant_id),
            sku=line.variant.sku,
            quantity=line.quantity,
            unit_price=line.unit_price,
            rate=line.rate,
            discount=priced[str(line.pk)].discount,
            tax=priced[str(line.pk)].tax,
            total=priced[str(line.pk)].gross,
        )
        for line in lines
    ]


def return_stock_of_cancelled_order(summary: OrderSummary) -> None:
    """The stock a checkout took for this order goes back on hand (runs in the cancellation's transaction)."""
    allocations = list(OrderAllocation.objects.select_for_update().filter(order_id=summary.pk, returned=False))
    if not allocations:
        return
    stocks = {
        stock.pk: stock
        for stock in Stock.objects.select_for_update()
        .filter(pk__in=sorted(a.stock_id for a in allocations))
        .order_by("id")
    }
    for allocation in allocations:
        stocks[allocation.stock_id].quantity += allocation.quantity
    for stock in stocks.values():
        stock.save(update_fields=["quantity"])
    OrderAllocation.objects.filter(pk__in=[a.pk for a in allocations]).update(returned=True)
