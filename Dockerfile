# One image for every Tenantry Python entry point (control plane, tenant app, Celery
# workers, the operator). The command picks the role:
#   python -m tenantry_kernel.serve control_plane.asgi:application --service control-plane
#   python -m tenantry_kernel.serve tenant_app.asgi:application --service tenant-app
#   celery -A tenant_app worker      celery -A tenant_app beat
#   python -m tenant_operator
# It runs as a non-root user and works with a read-only root filesystem (writes go to /tmp).

ARG PYTHON_IMAGE=python:3.11-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
RUN python -m venv /opt/venv
COPY requirements/prod.txt /tmp/requirements.txt
RUN /opt/venv/bin/pip install --require-virtualenv -r /tmp/requirements.txt

FROM ${PYTHON_IMAGE}
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PYTHONPATH=/app/kernel:/app/platform:/app/tenant-app:/app/operator \
    HOST=0.0.0.0 \
    PORT=8000
RUN groupadd --system --gid 10001 tenantry \
 && useradd --system --uid 10001 --gid tenantry --home-dir /app --shell /usr/sbin/nologin tenantry
COPY --from=build /opt/venv /opt/venv
WORKDIR /app
COPY kernel/tenantry_kernel kernel/tenantry_kernel
COPY platform/control_plane platform/control_plane
COPY platform/manage.py platform/manage.py
COPY tenant-app/tenant_app tenant-app/tenant_app
COPY tenant-app/manage.py tenant-app/manage.py
COPY operator/tenant_operator operator/tenant_operator
# Static files are collected at build time (the build-only key never reaches a runtime).
RUN for project in platform/control_plane tenant-app/tenant_app; do \
      DJANGO_SETTINGS_MODULE="$(basename $project).settings.production" \
      DJANGO_SECRET_KEY="build-only-collectstatic-key-0123456789-abcdefghijklmnopqrstuvwxyz" \
      DJANGO_ALLOWED_HOSTS=build.invalid \
      python "$(dirname $project)/manage.py" collectstatic --noinput -v 0; \
    done \
 && python -m compileall -q /app
USER 10001:10001
EXPOSE 8000
CMD ["python", "-m", "tenantry_kernel.serve", "control_plane.asgi:application", "--service", "control-plane"]
