"""The catalog's staff REST API beyond products: variants, their prices and stock, categories, collections,
attributes, translations and the store's settings. Every write goes through tenant_app.catalog.actions."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import ErrorDetail
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from tenant_app.access.permissions import ActionPermission
from tenant_app.access.policy import Context
from tenant_app.api import signed_in_user
from tenant_app.catalog import actions
from tenant_app.catalog.api.serializers import CurrencyField
from tenant_app.catalog.languages import is_language
from tenant_app.catalog.models import (
    Attribute,
    AttributeValue,
    Category,
    Collection,
    Product,
    ProductVariant,
    StoreSettings,
)
from tenant_app.catalog.selectors import visible_products
from tenantry_kernel import money
from tenantry_kernel.web.openapi import problems, request_example, response_example
from tenantry_kernel.web.pagination import one_page

# ---- Shapes (and the examples of the OpenAPI schema) ----

VARIANT = {
    "id": 31,
    "product": 17,
    "sku": "BEANS-1KG",
    "name": "1 kg bag",
    "weight_grams": 1000,
    "attribute_values": ["size:1-kg"],
    "prices": [{"amount": "24.90", "currency": "EUR"}, {"amount": "26.50", "currency": "USD"}],
    "stocks": [{"location": "main", "quantity": 40, "quantity_reserved": 2}],
}
CATEGORY = {"id": 4, "name": "Beans", "slug": "beans", "description": "Whole beans.", "parent": "coffee", "position": 0}
COLLECTION = {"id": 2, "name": "Staff picks", "slug": "staff-picks", "description": "", "published": True}
ONE_KG = {"id": 2, "name": "1 kg", "slug": "1-kg", "position": 1}
ATTRIBUTE = {
    "id": 1,
    "name": "Size",
    "slug": "size",
    "values": [{"id": 1, "name": "250 g", "slug": "250-g", "position": 0}, ONE_KG],
}
STORE_SETTINGS = {
    "languages": ["en", "de"],
    "default_language": "en",
    "currencies": ["EUR", "USD"],
    "default_currency": "EUR",
    "rate_overrides": {"USD": "1.0835"},
}


def page_of(
    name: str, item: type[serializers.Serializer[Any]], example: dict[str, Any]
) -> type[serializers.Serializer[Any]]:
    """The shape of a short list answered as its only page (no links), with an example."""
    page = type(
        name,
        (serializers.Serializer,),
        {
            "__doc__": "A short list, shaped as a list's page (the only one: no links).",
            "next": serializers.URLField(allow_null=True),
            "previous": serializers.URLField(allow_null=True),
            "results": item(many=True),
        },
    )
    return extend_schema_serializer(examples=[response_example("A page", one_page([example]))])(page)


@extend_schema_serializer(examples=[response_example("A bag of beans", VARIANT)])
class VariantSerializer(serializers.ModelSerializer[ProductVariant]):
    product: serializers.PrimaryKeyRelatedField[Product] = serializers.PrimaryKeyRelatedField(read_only=True)
    attribute_values = serializers.SerializerMethodField()
    prices = serializers.SerializerMethodField()
    stocks = serializers.SerializerMethodField()

    class Meta:
        model = ProductVariant
        fields = ["id", "product", "sku", "name", "weight_grams", "attribute_values", "prices", "stocks"]
        read_only_fields = fields

    def get_attribute_values(self, variant: ProductVariant) -> list[str]:
        return [f"{value.attribute.slug}:{value.slug}" for value in variant.attribute_values.all()]

    def get_prices(self, variant: ProductVariant) -> list[dict[str, str]]:
        return [
            {"amount": format(money.round_money(price.amount, price.currency), "f"), "currency": price.currency}
            for price in variant.prices.all()
        ]

    def get_stocks(self, variant: ProductVariant) -> list[dict[str, Any]]:
        return [
            {"location": stock.location, "quantity": stock.quantity, "quantity_reserved": stock.quantity_reserved}
            for stock in variant.stocks.all()
        ]


def _values(pairs: list[str]) -> list[AttributeValue]:
    """attribute:value slugs as rows; an unknown pair is a field error."""
    found = []
    for pair in pairs:
        attribute, _, value = pair.partition(":")
        row = AttributeValue.objects.filter(attribute__slug=attribute, slug=value).first()
        if row is None:
            message = f"No attribute value {pair!r}; give attribute:value slugs, e.g. size:m."
            raise serializers.ValidationError({"attribute_values": [ErrorDetail(message, "does_not_exist")]})
        found.append(row)
    return found


@extend_schema_serializer(
    examples=[
        request_example(
            "A 1 kg bag",
            {"sku": "BEANS-1KG", "name": "1 kg bag", "weight_grams": 1000, "attribute_values": ["size:1-kg"]},
        )
    ]
)
class VariantWriteSerializer(serializers.Serializer[Any]):
    sku = serializers.RegexField(r"^[A-Za-z0-9][A-Za-z0-9._/-]*$", max_length=64)
    name = serializers.CharField(max_length=200, allow_blank=True, default="")
    weight_grams = serializers.IntegerField(min_value=0, max_value=2_000_000_000, default=0)
    attribute_values = serializers.ListField(child=serializers.CharField(max_length=201), max_length=50, required=False)


@extend_schema_serializer(examples=[request_example("24.90", {"amount": "24.90"})])
class PriceWriteSerializer(serializers.Serializer[Any]):
    amount = serializers.DecimalField(max_digits=15, decimal_places=3, min_value=Decimal(0))


@extend_schema_serializer(examples=[request_example("40 on hand", {"quantity": 40})])
class StockWriteSerializer(serializers.Serializer[Any]):
    quantity = serializers.IntegerField(min_value=0, max_value=2_000_000_000)


@extend_schema_serializer(examples=[response_example("Beans", CATEGORY)])
class CategorySerializer(serializers.ModelSerializer[Category]):
    serializer_related_field = serializers.SlugRelatedField  # the parent by its slug

    class Meta:
        model = Category
        fields = ["id", "name", "slug", "description", "parent", "position"]
        read_only_fields = fields
        extra_kwargs = {"parent": {"slug_field": "slug"}}


@extend_schema_serializer(examples=[request_example("Beans under coffee", {"name": "Beans", "parent": "coffee"})])
class CategoryWriteSerializer(serializers.ModelSerializer[Category]):
    """Name, slug (from the name when not given), description, parent (its slug) and position."""

    serializer_related_field = serializers.SlugRelatedField

    class Meta:
        model = Category
        fields = ["name", "slug", "description", "parent", "position"]
        extra_kwargs = {
            "slug": {"required": False, "validators": []},  # a taken slug is the action's `slug_taken`
            "parent": {"slug_field": "slug"},
            "position": {"max_value": 1_000_000},
        }


@extend_schema_serializer(examples=[response_example("Staff picks", COLLECTION)])
class CollectionSerializer(serializers.ModelSerializer[Collection]):
    class Meta:
        model = Collection
        fields = ["id", "name", "slug", "description", "published"]
        read_only_fields = fields


@extend_schema_serializer(examples=[request_example("Staff picks", {"name": "Staff picks"})])
class CollectionWriteSerializer(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=200)
    slug = serializers.SlugField(max_length=200, required=False)
    description = serializers.CharField(max_length=20000, allow_blank=True, required=False)
    published = serializers.BooleanField(required=False)


@extend_schema_serializer(examples=[request_example("Two collections", {"collections": ["staff-picks", "sale"]})])
class ProductCollectionsSerializer(serializers.Serializer[Any]):
    collections = serializers.ListField(child=serializers.SlugField(max_length=200), max_length=100)

    def validate_collections(self, slugs: list[str]) -> list[Collection]:
        found = {collection.slug: collection for collection in Collection.objects.filter(slug__in=slugs)}
        if missing := [slug for slug in slugs if slug not in found]:
            raise serializers.ValidationError(
                ErrorDetail(f"No collections with the slugs {missing}.", "does_not_exist")
            )
        return list({slug: found[slug] for slug in slugs}.values())


@extend_schema_serializer(examples=[response_example("1 kg", ONE_KG)])
class AttributeValueSerializer(serializers.ModelSerializer[AttributeValue]):
    class Meta:
        model = AttributeValue
        fields = ["id", "name", "slug", "position"]
        read_only_fields = fields


@extend_schema_serializer(examples=[response_example("Size", ATTRIBUTE)])
class AttributeSerializer(serializers.ModelSerializer[Attribute]):
    values = AttributeValueSerializer(many=True, read_only=True)

    class Meta:
        model = Attribute
        fields = ["id", "name", "slug", "values"]
        read_only_fields = fields


@extend_schema_serializer(examples=[request_example("Size", {"name": "Size", "values": ["250 g", "1 kg"]})])
class AttributeWriteSerializer(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=100)
    slug = serializers.SlugField(max_length=100, required=False)
    values = serializers.ListField(child=serializers.CharField(max_length=100), max_length=200, required=False)


@extend_schema_serializer(examples=[request_example("2 kg", {"name": "2 kg"})])
class AttributeValueWriteSerializer(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=100)
    slug = serializers.SlugField(max_length=100, required=False)


@extend_schema_serializer(
    examples=[
        request_example("German", {"name": "Espressobohnen", "description": "Dunkel geröstet."}),
        response_example("German", {"name": "Espressobohnen", "description": "Dunkel geröstet."}),
    ]
)
class TranslationWriteSerializer(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=200, allow_blank=True, required=False)
    description = serializers.CharField(max_length=20000, allow_blank=True, required=False)


class LanguageField(serializers.CharField):
    def to_internal_value(self, data: Any) -> str:
        code = super().to_internal_value(data)
        if not is_language(code):
            raise serializers.ValidationError(
                ErrorDetail(
                    f"{code!r} is not an ISO 639-1 language code; use two letters such as en.", "invalid_language"
                )
            )
        return code


class RateField(serializers.CharField):
    def to_internal_value(self, data: Any) -> str:
        text = super().to_internal_value(data)
        try:
            value = Decimal(text)
        except ArithmeticError:
            value = Decimal("NaN")
        if not value.is_finite() or value <= 0 or value > Decimal("1e9"):
            raise serializers.ValidationError(ErrorDetail(f"{text!r} is not a positive exchange rate.", "invalid_rate"))
        return text


@extend_schema_serializer(examples=[response_example("English and German, euros and dollars", STORE_SETTINGS)])
class StoreSettingsSerializer(serializers.ModelSerializer[StoreSettings]):
    class Meta:
        model = StoreSettings
        fields = ["languages", "default_language", "currencies", "default_currency", "rate_overrides"]
        read_only_fields = fields


@extend_schema_serializer(examples=[request_example("Add German", {"languages": ["en", "de"]})])
class StoreSettingsWriteSerializer(serializers.Serializer[Any]):
    languages = serializers.ListField(child=LanguageField(max_length=2), min_length=1, max_length=30)
    default_language = LanguageField(max_length=2)
    currencies = serializers.ListField(child=CurrencyField(), min_length=1, max_length=30)
    default_currency = CurrencyField()
    rate_overrides = serializers.DictField(child=RateField(max_length=40))

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        current = self.instance
        languages = attrs.get("languages", getattr(current, "languages", []))
        currencies = attrs.get("currencies", getattr(current, "currencies", []))
        errors: dict[str, list[ErrorDetail]] = {}
        if attrs.get("default_language", getattr(current, "default_language", None)) not in languages:
            errors["default_language"] = [ErrorDetail("The default language must be one of `languages`.", "not_listed")]
        if attrs.get("default_currency", getattr(current, "default_currency", None)) not in currencies:
            errors["default_currency"] = [
                ErrorDetail("The default currency must be one of `currencies`.", "not_listed")
            ]
        if len(attrs.get("rate_overrides", {})) > 30:
            errors["rate_overrides"] = [ErrorDetail("At most 30 rate overrides.", "max_length")]
        for code in attrs.get("rate_overrides", {}):
            if code not in currencies:
                message = f"{code!r} is not one of the store's currencies; rates are per 1 default currency."
                errors.setdefault("rate_overrides", []).append(ErrorDetail(message, "not_listed"))
        if errors:
            raise serializers.ValidationError(errors)
        for key in ("languages", "currencies"):
            if key in attrs:
                attrs[key] = list(dict.fromkeys(attrs[key]))
        return attrs


VariantPage = page_of("VariantPage", VariantSerializer, VARIANT)
CategoryPage = page_of("CategoryPage", CategorySerializer, CATEGORY)
CollectionPage = page_of("CollectionPage", CollectionSerializer, COLLECTION)
AttributePage = page_of("AttributePage", AttributeSerializer, ATTRIBUTE)


# ---- Views ----


def _variants() -> QuerySet[ProductVariant]:
    return ProductVariant.objects.order_by("pk").prefetch_related("prices", "stocks", "attribute_values__attribute")


class CatalogView(APIView):
    permission_classes = [ActionPermission]

    def visible_product(self, request: Request, pk: int) -> Product:
        product = get_object_or_404(visible_products(request.user, Context.of(request._request)), pk=pk)
        self.check_object_permissions(request, product)
        return product

    def visible_variant(self, request: Request, pk: int) -> ProductVariant:
        products = visible_products(request.user, Context.of(request._request))
        variant = get_object_or_404(_variants().filter(product__in=products).select_related("product"), pk=pk)
        self.check_object_permissions(request, variant.product)
        return variant


class ProductVariantsView(CatalogView):
    required_actions = {"GET": "products.view", "POST": "products.update"}

    @extend_schema(
        summary="List a product's variants",
        description="Every variant of the product, with its prices and stock per location.",
        responses={200: VariantPage},
        tags=["catalog"],
    )
    def get(self, request: Request, pk: int) -> Response:
        product = self.visible_product(request, pk)
        return Response(one_page(list(VariantSerializer(_variants().filter(product=product), many=True).data)))

    @extend_schema(
        summary="Add a variant to a product",
        description="A new SKU (unique in the store) with its attribute values as attribute:value slugs.",
        request=VariantWriteSerializer,
        responses={201: VariantSerializer, **problems("invalid")},
        tags=["catalog"],
    )
    def post(self, request: Request, pk: int) -> Response:
        product = self.visible_product(request, pk)
        form = VariantWriteSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = dict(form.validated_data)
        values = _values(data.pop("attribute_values", []))
        variant = actions.create_variant(
            request._request, signed_in_user(request), product, attribute_values=values, **data
        )
        body = VariantSerializer(_variants().get(pk=variant.pk)).data
        return Response(body, status=status.HTTP_201_CREATED, headers={"Location": f"/api/v1/variants/{variant.pk}/"})


class VariantView(CatalogView):
    required_actions = {"GET": "products.view", "PATCH": "products.update"}

    @extend_schema(
        summary="Read a variant",
        description="Its SKU, attribute values, prices and stock.",
        responses={200: VariantSerializer},
        tags=["catalog"],
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(VariantSerializer(self.visible_variant(request, pk)).data)

    @extend_schema(
        summary="Change a variant",
        description="Only the fields sent change; attribute_values, when sent, replaces them.",
        request=VariantWriteSerializer(partial=True),
        responses={200: VariantSerializer, **problems("invalid")},
        tags=["catalog"],
    )
    def patch(self, request: Request, pk: int) -> Response:
        variant = self.visible_variant(request, pk)
        form = VariantWriteSerializer(data=request.data, partial=True)
        form.is_valid(raise_exception=True)
        data = dict(form.validated_data)
        values = _values(data.pop("attribute_values")) if "attribute_values" in data else None
        actions.update_variant(request._request, signed_in_user(request), variant, attribute_values=values, **data)
        return Response(VariantSerializer(_variants().get(pk=variant.pk)).data)


class VariantPriceView(CatalogView):
    required_actions = {"PUT": "products.update", "DELETE": "products.update"}

    @extend_schema(
        summary="Set a variant's price in a currency",
        description="In whole minor units of the currency (ISO 4217), which the store must sell in.",
        request=PriceWriteSerializer,
        responses={200: VariantSerializer, **problems("invalid", "currency_not_offered")},
        tags=["catalog"],
    )
    def put(self, request: Request, pk: int, currency: str) -> Response:
        variant = self.visible_variant(request, pk)
        form = PriceWriteSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        actions.set_variant_price(
            request._request, signed_in_user(request), variant, currency=currency, amount=form.validated_data["amount"]
        )
        return Response(VariantSerializer(_variants().get(pk=variant.pk)).data)

    @extend_schema(
        summary="Remove a variant's own price in a currency",
        description="Its default-currency price, converted, applies again.",
        responses={204: None},
        tags=["catalog"],
    )
    def delete(self, request: Request, pk: int, currency: str) -> Response:
        variant = self.visible_variant(request, pk)
        actions.remove_variant_price(request._request, signed_in_user(request), variant, currency=currency)
        return Response(status=status.HTTP_204_NO_CONTENT)


class VariantStockView(CatalogView):
    required_actions = {"PUT": "products.update"}

    @extend_schema(
        summary="Set a variant's quantity on hand at a location",
        description="Never below what checkouts have reserved there (`below_reserved`).",
        request=StockWriteSerializer,
        responses={200: VariantSerializer, **problems("invalid")},
        tags=["catalog"],
    )
    def put(self, request: Request, pk: int, location: str) -> Response:
        variant = self.visible_variant(request, pk)
        form = StockWriteSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        actions.set_stock(
            request._request,
            signed_in_user(request),
            variant,
            location=location,
            quantity=form.validated_data["quantity"],
        )
        return Response(VariantSerializer(_variants().get(pk=variant.pk)).data)


class ProductCollectionsView(CatalogView):
    required_actions = {"PUT": "products.update"}

    @extend_schema(
        summary="Put a product in exactly these collections",
        description="Collections by slug; the product leaves any other.",
        request=ProductCollectionsSerializer,
        responses={200: CollectionPage, **problems("invalid")},
        tags=["catalog"],
    )
    def put(self, request: Request, pk: int) -> Response:
        product = self.visible_product(request, pk)
        form = ProductCollectionsSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        collections = form.validated_data["collections"]
        actions.set_product_collections(request._request, signed_in_user(request), product, collections)
        return Response(one_page(list(CollectionSerializer(product.collections.order_by("pk"), many=True).data)))


class CategoriesView(CatalogView):
    required_actions = {"GET": "products.view", "POST": "products.update"}

    @extend_schema(
        summary="List categories",
        operation_id="categories_list",
        description="Every category, flat, with its parent's slug.",
        responses={200: CategoryPage},
        tags=["catalog"],
    )
    def get(self, request: Request) -> Response:
        rows = Category.objects.select_related("parent").order_by("pk")
        return Response(one_page(list(CategorySerializer(rows, many=True).data)))

    @extend_schema(
        summary="Add a category",
        description="Its slug comes from the name unless given; the parent is a slug.",
        request=CategoryWriteSerializer,
        responses={201: CategorySerializer, **problems("invalid")},
        tags=["catalog"],
    )
    def post(self, request: Request) -> Response:
        form = CategoryWriteSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        category = actions.create_category(request._request, signed_in_user(request), **form.validated_data)
        location = f"/api/v1/categories/{category.pk}/"
        return Response(
            CategorySerializer(category).data, status=status.HTTP_201_CREATED, headers={"Location": location}
        )


class CategoryView(CatalogView):
    required_actions = {"GET": "products.view", "PATCH": "products.update"}

    @extend_schema(
        summary="Read a category", description="One category.", responses={200: CategorySerializer}, tags=["catalog"]
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(CategorySerializer(get_object_or_404(Category, pk=pk)).data)

    @extend_schema(
        summary="Change a category",
        description="Only the fields sent change; a parent that would make a loop is refused.",
        request=CategoryWriteSerializer(partial=True),
        responses={200: CategorySerializer, **problems("invalid")},
        tags=["catalog"],
    )
    def patch(self, request: Request, pk: int) -> Response:
        category = get_object_or_404(Category, pk=pk)
        form = CategoryWriteSerializer(data=request.data, partial=True)
        form.is_valid(raise_exception=True)
        category = actions.update_category(request._request, signed_in_user(request), category, **form.validated_data)
        return Response(CategorySerializer(category).data)


class CollectionsView(CatalogView):
    required_actions = {"GET": "products.view", "POST": "products.update"}

    @extend_schema(
        summary="List collections",
        description="Every collection, published or not.",
        responses={200: CollectionPage},
        tags=["catalog"],
    )
    def get(self, request: Request) -> Response:
        return Response(one_page(list(CollectionSerializer(Collection.objects.order_by("pk"), many=True).data)))

    @extend_schema(
        summary="Add a collection",
        description="Its slug comes from the name unless given.",
        request=CollectionWriteSerializer,
        responses={201: CollectionSerializer, **problems("invalid")},
        tags=["catalog"],
    )
    def post(self, request: Request) -> Response:
        form = CollectionWriteSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        collection = actions.create_collection(request._request, signed_in_user(request), **form.validated_data)
        location = f"/api/v1/collections/{collection.pk}/"
        body = CollectionSerializer(collection).data
        return Response(body, status=status.HTTP_201_CREATED, headers={"Location": location})


class CollectionView(CatalogView):
    required_actions = {"PATCH": "products.update"}

    @extend_schema(
        summary="Change a collection",
        description="Only the fields sent change.",
        request=CollectionWriteSerializer(partial=True),
        responses={200: CollectionSerializer, **problems("invalid")},
        tags=["catalog"],
    )
    def patch(self, request: Request, pk: int) -> Response:
        collection = get_object_or_404(Collection, pk=pk)
        form = CollectionWriteSerializer(data=request.data, partial=True)
        form.is_valid(raise_exception=True)
        changed = actions.update_collection(
            request._request, signed_in_user(request), collection, **form.validated_data
        )
        return Response(CollectionSerializer(changed).data)


class AttributesView(CatalogView):
    required_actions = {"GET": "products.view", "POST": "products.update"}

    @extend_schema(
        summary="List attributes and their values",
        description="Every attribute with its values in order.",
        responses={200: AttributePage},
        tags=["catalog"],
    )
    def get(self, request: Request) -> Response:
        rows = Attribute.objects.prefetch_related("values").order_by("pk")
        return Response(one_page(list(AttributeSerializer(rows, many=True).data)))

    @extend_schema(
        summary="Add an attribute with its values",
        description="Values keep the order given; slugs come from the names.",
        request=AttributeWriteSerializer,
        responses={201: AttributeSerializer, **problems("invalid")},
        tags=["catalog"],
    )
    def post(self, request: Request) -> Response:
        form = AttributeWriteSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        attribute = actions.create_attribute(request._request, signed_in_user(request), **form.validated_data)
        body = AttributeSerializer(Attribute.objects.prefetch_related("values").get(pk=attribute.pk)).data
        return Response(body, status=status.HTTP_201_CREATED, headers={"Location": "/api/v1/attributes/"})


class AttributeValuesView(CatalogView):
    required_actions = {"POST": "products.update"}

    @extend_schema(
        summary="Add a value to an attribute",
        description="Appended after the attribute's other values.",
        request=AttributeValueWriteSerializer,
        responses={201: AttributeValueSerializer, **problems("invalid")},
        tags=["catalog"],
    )
    def post(self, request: Request, pk: int) -> Response:
        attribute = get_object_or_404(Attribute, pk=pk)
        form = AttributeValueWriteSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        value = actions.add_attribute_value(request._request, signed_in_user(request), attribute, **form.validated_data)
        body = AttributeValueSerializer(value).data
        return Response(body, status=status.HTTP_201_CREATED, headers={"Location": "/api/v1/attributes/"})


TRANSLATED_KINDS: dict[str, type[Any]] = {
    "products": Product,
    "categories": Category,
    "collections": Collection,
    "attributes": Attribute,
    "attribute-values": AttributeValue,
}


class TranslationView(CatalogView):
    required_actions = {"PUT": "products.update"}

    @extend_schema(
        summary="Set a translation",
        description="The name (and description) of a product, category, collection, attribute or attribute value in "
        "one of the store's other languages; an empty field shows the default text.",
        request=TranslationWriteSerializer,
        responses={200: TranslationWriteSerializer, **problems("invalid", "language_not_offered")},
        tags=["catalog"],
    )
    def put(self, request: Request, kind: str, pk: int, language: str) -> Response:
        model = TRANSLATED_KINDS.get(kind)
        if model is None:
            return Response(status=status.HTTP_404_NOT_FOUND)
        if model is Product:
            row: Any = self.visible_product(request, pk)
        else:
            row = get_object_or_404(model, pk=pk)
        form = TranslationWriteSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        translation = actions.set_translation(
            request._request, signed_in_user(request), row, language=language, **form.validated_data
        )
        fields = actions.TRANSLATABLE[model][2]
        return Response({name: getattr(translation, name) for name in fields})


class StoreSettingsView(CatalogView):
    required_actions = {"GET": "products.view", "PATCH": "products.publish"}

    @extend_schema(
        summary="Read the store's languages and currencies",
        description="With the exchange-rate overrides (units per 1 default currency).",
        responses={200: StoreSettingsSerializer},
        tags=["catalog"],
    )
    def get(self, request: Request) -> Response:
        return Response(StoreSettingsSerializer(StoreSettings.current()).data)

    @extend_schema(
        summary="Change the store's languages, currencies and rate overrides",
        description="Rate overrides are units of a currency per 1 default currency, as decimal strings.",
        request=StoreSettingsWriteSerializer(partial=True),
        responses={200: StoreSettingsSerializer, **problems("invalid")},
        tags=["catalog"],
    )
    def patch(self, request: Request) -> Response:
        form = StoreSettingsWriteSerializer(StoreSettings.current(), data=request.data, partial=True)
        form.is_valid(raise_exception=True)
        store = actions.update_store_settings(request._request, signed_in_user(request), **form.validated_data)
        return Response(StoreSettingsSerializer(store).data)
