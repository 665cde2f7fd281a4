from django.urls import path

from tenant_app.checkout.api import views

urlpatterns = [
    path("checkout/carts/", views.CartsView.as_view(), name="checkout-carts"),
    path("checkout/carts/merge/", views.MergeView.as_view(), name="checkout-merge"),
    path("checkout/carts/<uuid:cart_id>/", views.CartView.as_view(), name="checkout-cart"),
    path("checkout/carts/<uuid:cart_id>/lines/", views.LinesView.as_view(), name="checkout-lines"),
    path("checkout/carts/<uuid:cart_id>/lines/<int:line_id>/", views.LineView.as_view(), name="checkout-line"),
    path(
        "checkout/carts/<uuid:cart_id>/shipping-methods/",
        views.ShippingMethodsView.as_view(),
        name="checkout-shipping-methods",
    ),
    path("checkout/carts/<uuid:cart_id>/complete/", views.CompleteView.as_view(), name="checkout-complete"),
]
