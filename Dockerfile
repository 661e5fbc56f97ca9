# The gateway (and, with another command, the clouds' simulators) as an image.
#
# No state inside: the store is PostgreSQL ([store] url), the replicas' shared state Redis ([redis]). The
# configuration is a mounted file ($PARTNER_GATEWAY_CONFIG), the secrets are environment variables. The
# process runs as an unprivileged user that can write nothing in the image, so a configuration without
# [store] url (SQLite in ./data) fails at start instead of keeping state in a container.
#
#   docker build -t partner-gateway:local .
#   docker run --rm -p 8000:8000 -v $PWD/gateway.toml:/etc/partner-gateway/gateway.toml:ro \
#       -e ACME_ALIYUN_ACCESS_KEY_ID=... partner-gateway:local
#   docker run --rm -p 8102:8102 partner-gateway:local simulator huaweicloud --host 0.0.0.0
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
# The exact versions CI tested (constraints.txt), for what the package needs (not the test extra).
COPY pyproject.toml constraints.txt README.md ./
COPY gateway ./gateway
COPY adapters ./adapters
RUN pip install --constraint constraints.txt . \
    && useradd --system --uid 10001 --no-create-home --shell /usr/sbin/nologin gateway \
    && rm -rf /app/build

USER 10001
ENV PARTNER_GATEWAY_CONFIG=/etc/partner-gateway/gateway.toml
EXPOSE 8000
# Liveness: the process answers. Readiness (/readyz: accounts and store) is the orchestrator's to ask.
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2)"]
ENTRYPOINT ["partner-gateway"]
CMD ["serve"]
