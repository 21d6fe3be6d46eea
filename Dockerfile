# Production image: gunicorn serves the app, whitenoise its static files; the same image runs
# the Celery worker and beat (see docker-compose.yml).

# Front-end packages from the npm registry, exactly as package-lock.json pins them.
FROM node:20-slim AS assets
WORKDIR /src
COPY package.json package-lock.json ./
# Only what the app serves: the test-only packages (axe-core) stay out of the image.
RUN npm ci --omit=dev --no-audit --no-fund --loglevel=error

FROM python:3.11-slim AS app
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app

# libmagic: evidence files are typed by their content (python-magic), never by their name.
# The circular (督办通报): LibreOffice turns its .docx into PDF; Noto CJK draws Chinese in the
# charts (matplotlib) and the PDF.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libmagic1 libreoffice-writer-nogui fonts-noto-cjk \
    && rm -rf /var/lib/apt/lists/*

# Python packages under the lock; this layer changes only with pyproject.toml or constraints.txt.
COPY pyproject.toml constraints.txt ./
COPY scripts/pyproject_deps.py scripts/
RUN python scripts/pyproject_deps.py > /tmp/requirements.txt \
    && pip install -c constraints.txt -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

COPY . .
COPY --from=assets /src/node_modules/bootstrap/dist node_modules/bootstrap/dist
COPY --from=assets /src/node_modules/bootstrap-icons/font node_modules/bootstrap-icons/font

# Settings refuse the public development key when DEBUG is off, so collectstatic gets a
# throw-away key that exists only in this build step.
RUN SECRET_KEY=collectstatic-build-only DEBUG=false python manage.py collectstatic --noinput \
    && useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin qdsasac \
    && mkdir -p var && chown -R qdsasac:qdsasac var

USER qdsasac
EXPOSE 8000
# gunicorn.conf.py in /app: bind, workers and logging, from the environment.
CMD ["gunicorn", "qdsasac.wsgi"]
