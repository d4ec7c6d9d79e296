"""URL patterns filled in by the dashboard_urls work."""

urlpatterns: list = []
