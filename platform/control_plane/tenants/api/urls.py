from django.urls import path

from control_plane.tenants.api import stats, stream, views

urlpatterns = [
    path("tenants/", views.TenantListView.as_view(), name="tenant-list"),
    path("tenants/<slug:slug>/", views.TenantDetailView.as_view(), name="tenant-detail"),
    path("tenants/<slug:slug>/events/", stream.TenantEventStream.as_view(), name="tenant-events"),
    path("tenants/<slug:slug>/events/ticket/", stream.TenantEventTicketView.as_view(), name="tenant-events-ticket"),
    path("tenants/<slug:slug>/open/", views.OpenStoreView.as_view(), name="tenant-open"),
    path("tenants/<slug:slug>/members/", views.MemberListView.as_view(), name="tenant-members"),
    path("tenants/<slug:slug>/members/<int:member_id>/", views.MemberDetailView.as_view(), name="tenant-member"),
    path("tenants/<slug:slug>/invitations/", views.InvitationListView.as_view(), name="tenant-invitations"),
    path(
        "tenants/<slug:slug>/invitations/<int:invitation_id>/",
        views.InvitationDetailView.as_view(),
        name="tenant-invitation",
    ),
    path("invitations/accept/", views.AcceptInvitationView.as_view(), name="invitation-accept"),
    path("ops/tenants/", views.OpsTenantListView.as_view(), name="ops-tenant-list"),
    path("ops/tenants/<slug:slug>/", views.OpsTenantDetailView.as_view(), name="ops-tenant"),
    path("ops/tenants/<slug:slug>/suspend/", views.OpsSuspendView.as_view(), name="ops-tenant-suspend"),
    path("ops/tenants/<slug:slug>/resume/", views.OpsResumeView.as_view(), name="ops-tenant-resume"),
    path("ops/tenants/<slug:slug>/retry-provisioning/", views.OpsRetryView.as_view(), name="ops-tenant-retry"),
    path("ops/stats/", stats.OpsStatsView.as_view(), name="ops-stats"),
]
