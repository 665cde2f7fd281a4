"""Serve a Django project's ASGI application with uvicorn and Tenantry's JSON logs.

    python -m tenantry_kernel.serve control_plane.asgi:application --service control-plane --port 8000

The container image and `make up` both start web processes this way.
"""

from __future__ import annotations

import argparse
import os

import uvicorn

from tenantry_kernel.config import getenv
from tenantry_kernel.logging import logging_config


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("app", help="ASGI application, as module:attribute")
    parser.add_argument("--service", required=True, help="service name in logs and traces")
    parser.add_argument("--host", default=getenv("HOST"))
    parser.add_argument("--port", type=int, default=int(getenv("PORT")))
    parser.add_argument("--workers", type=int, default=int(getenv("WEB_CONCURRENCY")))
    parser.add_argument("--reload", action="store_true", help="restart on code changes (development)")
    args = parser.parse_args(argv)

    os.environ.setdefault("OTEL_SERVICE_NAME", args.service)
    uvicorn.run(
        args.app,
        host=args.host,
        port=args.port,
        workers=args.workers,
        reload=args.reload,
        log_config=logging_config(args.service),
        # Our middleware writes one access line per request with ids and timings.
        access_log=False,
        proxy_headers=True,
        forwarded_allow_ips=getenv("FORWARDED_ALLOW_IPS"),
        server_header=False,
        lifespan="off",
    )


if __name__ == "__main__":
    main()
