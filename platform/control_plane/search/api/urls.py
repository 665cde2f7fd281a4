from django.urls import path

from control_plane.search.api import views

urlpatterns = [
    path("", views.SearchView.as_view(), name="search"),
    path("autocomplete/", views.AutocompleteView.as_view(), name="search-autocomplete"),
]
