# Ladder production image: gunicorn serving Django, static files via whitenoise.
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# Dependencies first, so code changes don't invalidate this layer.
COPY requirements.lock ./
RUN pip install --no-cache-dir -r requirements.lock

COPY . .

# Collect (and compress/hash) static files into the image. The settings refuse to
# load with DEBUG off and no SECRET_KEY, so this one RUN gets a random throwaway
# key; it is not baked into the image or its ENV.
RUN DEBUG=false STATIC_MANIFEST=true \
    SECRET_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(50))')" \
    python manage.py collectstatic --noinput

RUN useradd --system --no-create-home --shell /usr/sbin/nologin ladder
USER ladder

EXPOSE 8000

# Host: the first ALLOWED_HOSTS entry (Django rejects unknown hosts with 400).
# X-Forwarded-Proto: gunicorn trusts it from 127.0.0.1, so SECURE_SSL_REDIRECT
# doesn't turn the check into a redirect to https.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD python -c "import os, urllib.request as u; h = os.environ.get('ALLOWED_HOSTS', 'localhost').split(',')[0].strip().lstrip('.'); h = 'localhost' if h in ('', '*') else h; u.urlopen(u.Request('http://127.0.0.1:8000/healthz', headers={'Host': h, 'X-Forwarded-Proto': 'https'}), timeout=4)" || exit 1

# Heartbeat files in /dev/shm: the overlay filesystem can stall sync workers.
CMD ["gunicorn", "ladder.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "2", "--worker-class", "sync", "--worker-tmp-dir", "/dev/shm", "--access-logfile", "-"]
