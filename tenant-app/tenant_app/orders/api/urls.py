from rest_framework.routers import SimpleRouter

from tenant_app.orders.api import views

router = SimpleRouter()
router.register("orders", views.OrderViewSet, basename="order")

urlpatterns = router.urls
