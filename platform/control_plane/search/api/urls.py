from django.urls import path

from control_plane.search.api import views

urlpatterns = [
    path("", views.SearchView.as_view(), name="search"),
    path("autocomplete/", views.AutocompleteView.as_view(), name="search-autocomplete"),
]

# Mounted at /api/v1/directory/: the public list of live stores.
directory_urlpatterns = [
    path("", views.DirectoryView.as_view(), name="store-directory"),
]
