import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "echoloop.settings")
application = get_wsgi_application()

# Load the URLconf, and with it every view module (DRF, numpy, scipy, the renderers), now rather
# than in the first requests a fresh worker serves, which would otherwise wait for the imports.
from django.urls import get_resolver  # noqa: E402

get_resolver().url_patterns  # noqa: B018

# Each web process renders uncached views in its own pool of processes: start it now, not in the
# first request that needs it.
from annotator import renderpool  # noqa: E402

renderpool.warm_up()
