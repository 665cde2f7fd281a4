from django.urls import path

from control_plane.signup.api import views

urlpatterns = [
    path("signup/", views.SignupView.as_view(), name="signup"),
    path("signup/slug/", views.SlugAvailabilityView.as_view(), name="signup-slug"),
]
