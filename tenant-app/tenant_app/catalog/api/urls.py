from django.urls import path
from rest_framework.routers import SimpleRouter

from tenant_app.catalog.api import staff, storefront, views

router = SimpleRouter()
router.register("products", views.ProductViewSet, basename="product")

CURRENCY = "<str:currency>"

urlpatterns = [
    *router.urls,
    path("products/<int:pk>/variants/", staff.ProductVariantsView.as_view(), name="product-variants"),
    path("products/<int:pk>/collections/", staff.ProductCollectionsView.as_view(), name="product-collections"),
    path("variants/<int:pk>/", staff.VariantView.as_view(), name="variant-detail"),
    path(f"variants/<int:pk>/prices/{CURRENCY}/", staff.VariantPriceView.as_view(), name="variant-price"),
    path("variants/<int:pk>/stock/<str:location>/", staff.VariantStockView.as_view(), name="variant-stock"),
    path("categories/", staff.CategoriesView.as_view(), name="category-list"),
    path("categories/<int:pk>/", staff.CategoryView.as_view(), name="category-detail"),
    path("collections/", staff.CollectionsView.as_view(), name="collection-list"),
    path("collections/<int:pk>/", staff.CollectionView.as_view(), name="collection-detail"),
    path("attributes/", staff.AttributesView.as_view(), name="attribute-list"),
    path("attributes/<int:pk>/values/", staff.AttributeValuesView.as_view(), name="attribute-values"),
    path("translations/<slug:kind>/<int:pk>/<str:language>/", staff.TranslationView.as_view(), name="translation"),
    path("store-settings/", staff.StoreSettingsView.as_view(), name="store-settings"),
    # The public storefront: anonymous, read-only.
    path("storefront/settings/", storefront.StorefrontSettingsView.as_view(), name="storefront-settings"),
    path("storefront/products/", storefront.ProductListView.as_view(), name="storefront-products"),
    path("storefront/products/<slug:slug>/", storefront.ProductPageView.as_view(), name="storefront-product"),
    path("storefront/categories/", storefront.CategoryTreeView.as_view(), name="storefront-categories"),
    path("storefront/collections/", storefront.CollectionListView.as_view(), name="storefront-collections"),
    path("storefront/autocomplete/", storefront.SuggestionsView.as_view(), name="storefront-autocomplete"),
]
