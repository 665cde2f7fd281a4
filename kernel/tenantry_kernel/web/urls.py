"""Routes every Tenantry web service includes at /api/problems/: the documentation of its error codes.

An error body's `type` is "/api/problems/<code>" (tenantry_kernel.web.errors); both that and the address
with a trailing slash answer, so the reference dereferences without a redirect.
"""

from django.urls import path, re_path

from tenantry_kernel.web.views import problem_detail, problem_list

urlpatterns = [
    path("", problem_list, name="problem-list"),
    re_path(r"^(?P<code>[a-z0-9_]+)/?$", problem_detail, name="problem-detail"),
]
