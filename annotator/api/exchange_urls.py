"""URL patterns filled in by the exchange_urls work."""

urlpatterns: list = []
