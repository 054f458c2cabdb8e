from django.urls import path

from . import views

app_name = "clients"
urlpatterns = [
    path("", views.client_list, name="list"),
    path("break-glass/", views.break_glass, name="break_glass"),
    path("manage/", views.admin_list, name="admin_list"),
    path("manage/new/", views.client_register, name="register"),
    path("manage/principals/", views.principals, name="principals"),
    path("manage/principals/new/", views.principal_new, name="principal_new"),
    path("manage/<uuid:client_id>/", views.admin_detail, name="admin_detail"),
    path("manage/<uuid:client_id>/trajectories/new/", views.trajectory_new, name="trajectory_new"),
    path("manage/<uuid:client_id>/trajectories/<uuid:trajectory_id>/close/", views.trajectory_close,
         name="trajectory_close"),
    path("manage/<uuid:client_id>/trajectories/<uuid:trajectory_id>/terms/", views.trajectory_terms,
         name="trajectory_terms"),
    path("manage/<uuid:client_id>/trajectories/<uuid:trajectory_id>/assign/", views.trajectory_assign,
         name="trajectory_assign"),
    path("<uuid:client_id>/", views.client_detail, name="detail"),
    path("<uuid:client_id>/tab/<slug:tab>/", views.client_tab, name="tab"),
    path("<uuid:client_id>/personal/", views.personal_edit, name="personal_edit"),
    path("<uuid:client_id>/goal/", views.goal_new, name="goal_new"),
    path("<uuid:client_id>/trajectories/<uuid:trajectory_id>/activate/", views.trajectory_activate,
         name="trajectory_activate"),
    path("<uuid:client_id>/sessions/new/", views.session_new, name="session_new"),
    path("<uuid:client_id>/entries/new/", views.entry_new, name="entry_new"),
    path("<uuid:client_id>/entries/<uuid:entry_id>/", views.entry_detail, name="entry"),
    path("<uuid:client_id>/entries/<uuid:entry_id>/edit/", views.entry_edit, name="entry_edit"),
    path("<uuid:client_id>/entries/<uuid:entry_id>/attachments/", views.entry_attachments, name="entry_attachments"),
    path("<uuid:client_id>/attachments/<uuid:attachment_id>/", views.attachment_download, name="attachment"),
    path("<uuid:client_id>/consents/new/", views.consent_new, name="consent_new"),
    path("<uuid:client_id>/consents/<uuid:consent_id>/withdraw/", views.consent_withdraw, name="consent_withdraw"),
    path("<uuid:client_id>/referrals/new/", views.referral_new, name="referral_new"),
]
