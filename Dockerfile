# The pages' front-end library (Tom Select) from npm through package-lock.json, as `make vendor`
# does; collectstatic below needs it (the manifest storage refuses a missing static file).
FROM node:20-slim AS vendor
WORKDIR /src
COPY package.json package-lock.json ./
COPY scripts/vendor-static.sh scripts/
RUN bash scripts/vendor-static.sh

# The production image: web (gunicorn), worker and beat (Celery) all run from it.
FROM python:3.11-slim AS app
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 UV_PROJECT_ENVIRONMENT=/app/.venv \
    PATH=/app/.venv/bin:$PATH
WORKDIR /app
RUN pip install --no-cache-dir uv==0.13.8
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-dev --no-install-project
COPY . .
COPY --from=vendor /src/static/vendor static/vendor
# Placeholders: collectstatic needs the settings to load, not real keys (those come at run time).
RUN DJANGO_DEBUG=false SECRET_KEY=build-only FIELD_ENCRYPTION_KEY=build-only \
    QBO_ALLOW_EMULATOR=true python manage.py collectstatic --noinput
RUN useradd --system --home /app app && mkdir -p /app/var && chown -R app /app/var
USER app
EXPOSE 8000
CMD ["gunicorn", "timetracker.wsgi", "--config", "gunicorn.conf.py", "--bind", "0.0.0.0:8000"]
