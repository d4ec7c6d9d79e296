from django.urls import path

from annotator import dashboard_views, manage_views, views

urlpatterns = [
    path("login/", views.ThrottledLoginView.as_view(), name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("", views.project_list, name="home"),
    path("projects/<int:pk>/", views.project_detail, name="project-page"),
    path("projects/<int:pk>/annotate/", views.annotate, name="annotate"),
    path("projects/<int:pk>/review/", views.review, name="review"),
    path(
        "projects/<int:pk>/recordings/<int:rid>/", views.recording_browser, name="recording-browser"
    ),
    path(
        "projects/<int:pk>/dashboard/", dashboard_views.project_dashboard, name="project-dashboard"
    ),
    path("healthz", views.healthz, name="healthz"),
]

urlpatterns += [
    path("projects/new/", manage_views.new_project, name="project-new"),
    path("projects/<int:pk>/manage/", manage_views.manage_project, name="project-manage"),
    path("projects/<int:pk>/manage/tags/", manage_views.add_tag, name="manage-tag-add"),
    path("projects/<int:pk>/manage/tags/<int:id>/", manage_views.edit_tag, name="manage-tag"),
    path(
        "projects/<int:pk>/manage/tags/<int:id>/delete/",
        manage_views.delete_tag,
        name="manage-tag-delete",
    ),
    path(
        "projects/<int:pk>/manage/memberships/", manage_views.add_member, name="manage-member-add"
    ),
    path(
        "projects/<int:pk>/manage/memberships/<int:id>/",
        manage_views.change_role,
        name="manage-member",
    ),
    path(
        "projects/<int:pk>/manage/memberships/<int:id>/delete/",
        manage_views.remove_member,
        name="manage-member-delete",
    ),
]
