FROM python:3.11-slim AS build
RUN pip install --no-cache-dir uv
WORKDIR /app
COPY pyproject.toml uv.lock README.md ./
RUN uv sync --frozen --no-dev --no-install-project
COPY base ./base
COPY bot ./bot
COPY commands ./commands
COPY config ./config
COPY domain ./domain
COPY storage ./storage
RUN uv sync --frozen --no-dev

FROM python:3.11-slim
RUN useradd --create-home --uid 10001 amtsbote
WORKDIR /app
COPY --from=build --chown=amtsbote:amtsbote /app /app
ENV PATH="/app/.venv/bin:$PATH" BOT_LISTEN=0.0.0.0:8080 DATABASE_URL=sqlite:////data/amtsbote.db PYTHONUNBUFFERED=1
RUN mkdir -m 700 /data && chown amtsbote:amtsbote /data
VOLUME /data
USER amtsbote
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=3s --start-period=20s \
  CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8080/healthz', timeout=2).status == 200 else 1)"
# `serve` applies database migrations before it starts listening.
CMD ["amtsbote", "serve"]
