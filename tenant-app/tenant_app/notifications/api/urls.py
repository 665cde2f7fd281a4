from django.urls import path
from rest_framework.routers import SimpleRouter

from tenant_app.notifications import sse
from tenant_app.notifications.api import views

router = SimpleRouter(trailing_slash=True)
router.register("notifications", views.NotificationViewSet, basename="notification")

urlpatterns = [
    # Before the router's notifications/<id>/, whose ids are digits only anyway.
    path("notifications/tickets/", views.TicketView.as_view(), name="notification-tickets"),
    path("notifications/stream/", sse.NotificationStream.as_view(), name="notification-stream"),
    *router.urls,
]
