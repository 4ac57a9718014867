# TruePPM: one image for every process (api, worker, relay, beat, migrations).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    TRUEPPM_HOST=0.0.0.0 \
    TRUEPPM_PORT=8000 \
    TRUEPPM_DATA_DIR=/var/lib/trueppm

WORKDIR /srv/trueppm
COPY pyproject.toml README.md alembic.ini ./
COPY app ./app
COPY graph ./graph
COPY jobs ./jobs
COPY scheduler ./scheduler
COPY migrations ./migrations
# Editable: `trueppm migrate` finds alembic.ini and migrations/ beside the app package.
RUN pip install --no-cache-dir -e . \
    && groupadd --system --gid 10001 trueppm \
    && useradd --system --uid 10001 --gid 10001 --home-dir /var/lib/trueppm --create-home trueppm

# Numeric, so Kubernetes can verify runAsNonRoot (the chart runs it as 10001:10001).
USER 10001:10001
EXPOSE 8000
CMD ["trueppm", "serve"]
