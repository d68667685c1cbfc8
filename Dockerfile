# The three Node services, one image each: access-api, orchestrator-api or consumer-mq.
#   docker build --build-arg SERVICE=access-api -t regflow/access-api:local .
# docker-compose.yml builds each with `args: { SERVICE: ... }`. The build context is the repository root,
# so the npm workspaces resolve from the root lockfile. admin-web (nginx) has its own admin-web/Dockerfile.
ARG NODE_IMAGE=node:22-bookworm-slim

# Every workspace manifest is copied so `npm ci` sees a tree in sync with package-lock.json; the
# --workspace filter then installs only what this service needs.
FROM ${NODE_IMAGE} AS manifests
ARG SERVICE
RUN case "$SERVICE" in access-api|orchestrator-api|consumer-mq) ;; \
      *) echo "build with --build-arg SERVICE=access-api|orchestrator-api|consumer-mq (got '$SERVICE')" >&2; exit 1 ;; esac
WORKDIR /app
COPY package.json package-lock.json ./
COPY common/package.json common/
COPY access-api/package.json access-api/
COPY orchestrator-api/package.json orchestrator-api/
COPY consumer-mq/package.json consumer-mq/
COPY admin-web/package.json admin-web/

# The service and @regflow/common bundled into one file, <service>/dist/main.js (scripts/build-services.mjs).
# The root's devDependencies are installed here only for esbuild, which comes with tsx.
FROM manifests AS build
ARG SERVICE
RUN npm ci --workspace="$SERVICE" --include-workspace-root --no-audit --no-fund
COPY tsconfig*.json ./
COPY scripts/build-services.mjs scripts/
COPY common/ common/
COPY ${SERVICE}/ ${SERVICE}/
# /out is what the runtime stage takes: the bundle and, for consumer-mq, the SQL migrations it applies
# at start-up and the email templates it loads (read from <service>/drizzle and <service>/emails, beside
# dist/). No other service reads files at run time.
RUN node scripts/build-services.mjs "$SERVICE" \
 && mkdir -p /out \
 && cp -r "$SERVICE/dist" /out/ \
 && if [ -d "$SERVICE/drizzle" ]; then cp -r "$SERVICE/drizzle" /out/; fi \
 && if [ -d "$SERVICE/emails" ]; then cp -r "$SERVICE/emails" /out/; fi

# Production dependencies only: the packages the bundle imports (@regflow/common is inside it).
FROM manifests AS deps
ARG SERVICE
RUN npm ci --workspace="$SERVICE" --omit=dev --no-audit --no-fund

FROM ${NODE_IMAGE} AS runtime
ARG SERVICE
# Heap settings that keep the process under 150 MB RSS at peak (docs/benchmarks.md); same as
# SERVICE_NODE_OPTIONS in scripts/system.ts. A NODE_OPTIONS set in the compose file replaces them.
# The port is the service's own default (3001, 3002, 3003) unless PORT is set, as compose does.
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    NODE_OPTIONS="--max-semi-space-size=8 --max-old-space-size=1536"
WORKDIR /app
COPY --from=deps /app ./
COPY --from=build /out/ ${SERVICE}/
# Run from the service's folder, so the command below is the same for all three.
WORKDIR /app/${SERVICE}
USER node
# node itself is the process (no npm/npx wrapper in between), so the SIGTERM that tini (compose's
# `init: true`) forwards reaches the service's own shutdown handler.
CMD ["node", "dist/main.js"]
