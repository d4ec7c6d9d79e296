from django.urls import path

from annotator import dashboard_views, views

urlpatterns = [
    path("login/", views.ThrottledLoginView.as_view(), name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("", views.project_list, name="home"),
    path("projects/<int:pk>/", views.project_detail, name="project-page"),
    path("projects/<int:pk>/annotate/", views.annotate, name="annotate"),
    path("projects/<int:pk>/review/", views.review, name="review"),
    path("projects/<int:pk>/recordings/<int:rid>/", views.recording_browser, name="recording-browser"),
    path("projects/<int:pk>/dashboard/", dashboard_views.project_dashboard, name="project-dashboard"),
    path("healthz", views.healthz, name="healthz"),
]
