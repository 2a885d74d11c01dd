# cloudmaster as a container: built from the checkout, run as a non-root user
# with dist/ and the production dependencies only. BASE_IMAGE may name a local
# stand-in for the official image (scripts/image-test.sh builds one).
ARG BASE_IMAGE=node:24-bookworm-slim

FROM ${BASE_IMAGE} AS build
WORKDIR /build
COPY package.json package-lock.json ./
# No install scripts: the image has its own Node 24, so the `node` dev
# dependency (Node for machines that have an older one) stays inert.
RUN --mount=type=cache,target=/root/.npm npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src/ src/
COPY providers/ providers/
RUN npm run build && npm prune --omit=dev --ignore-scripts --no-audit --no-fund

FROM ${BASE_IMAGE}
# CLOUDMASTER_REQUIRE_SLACK: without Slack tokens the image stops with one line
# rather than opening the local workspace (docs/local-workspace.md); a deployment
# never silently becomes a local one.
ENV NODE_ENV=production \
    CLOUDMASTER_DATA_DIR=/data \
    CLOUDMASTER_REQUIRE_SLACK=1 \
    PORT=8080
RUN groupadd --gid 10001 cloudmaster \
 && useradd --uid 10001 --gid cloudmaster --home-dir /app --no-create-home \
      --shell /usr/sbin/nologin cloudmaster \
 && mkdir -p /data \
 && chown cloudmaster:cloudmaster /data
WORKDIR /app
COPY --from=build /build/package.json ./
COPY --from=build /build/node_modules/ node_modules/
COPY --from=build /build/dist/ dist/
COPY bin/cloudmaster.js bin/node-support.js bin/
COPY manifest.yml cloudmaster.example.yml LICENSE CHANGELOG.md ./
RUN ln -s /app/bin/cloudmaster.js /usr/local/bin/cloudmaster
# The embedded SQLite store lives here unless DATABASE_URL names PostgreSQL.
VOLUME ["/data"]
USER 10001:10001
# PORT turns the operations listener on (settings.http.port wins); it binds to
# 127.0.0.1 by default, reachable from inside the container, where Docker runs
# this check. GET /healthz answers 200 while the process answers.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.PORT}/healthz`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# On SIGTERM the bot stops taking work and lets what runs finish or hand over
# (settings.shutdownGrace, 20 s), then exits 0: stop it with more time than
# that (docker stop -t 30; compose.yaml's stop_grace_period).
STOPSIGNAL SIGTERM
# A young generation of 8 MB semi-spaces instead of V8's default 32 MB: a
# bot under load keeps ~50 MB less resident at no cost in CPU (BENCHMARKS.md).
ENTRYPOINT ["node", "--max-semi-space-size=8", "/app/bin/cloudmaster.js"]
CMD ["serve"]
