"""Compose's health check of the web service: GET /healthz the way the reverse proxy sends it.

With the public host name (the first of ALLOWED_HOSTS) and X-Forwarded-Proto: https, so neither
the host check nor the HTTPS redirect of a production configuration turns it away.
"""

from __future__ import annotations

import os
import sys
import urllib.request


def main() -> int:
    host = (os.environ.get("ALLOWED_HOSTS") or "localhost").split(",")[0].strip().lstrip(".")
    if host in ("", "*"):
        host = "localhost"
    port = os.environ.get("PORT", "8000")
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/healthz", headers={"Host": host, "X-Forwarded-Proto": "https"}
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return 0 if response.status == 200 else 1
    except OSError as exc:
        print(f"unhealthy: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
