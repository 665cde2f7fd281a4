from rest_framework.routers import SimpleRouter

from tenant_app.catalog.api import views

router = SimpleRouter()
router.register("products", views.ProductViewSet, basename="product")

urlpatterns = router.urls
