# syntax=docker/dockerfile:1
#
# One image for all three roles of the customers service:
#   command service (default):  node dist/services/command/main.js
#   publisher:                  node dist/services/publisher/main.js
#   projector:                  node dist/services/projector/main.js
#
#   docker build -t customers .
#   docker run --rm -p 127.0.0.1:9000:9000 -e JWT_SECRET=... customers

ARG NODE_IMAGE=node:20-bookworm-slim

# ---- build: install every dependency, compile TypeScript, drop dev dependencies ----
FROM ${NODE_IMAGE} AS build

# better-sqlite3 compiles from source when no prebuilt binary can be fetched. The
# toolchain stays in this stage, so it is taken as Debian bookworm ships it.
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app

COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund

COPY tsconfig.json tsconfig.build.json ./
COPY scripts/build.mjs ./scripts/build.mjs
COPY services ./services
COPY shared ./shared
COPY bench ./bench
# The benchmark is compiled with the rest but needs dev dependencies; it is not shipped,
# nor is the record of what the build was made from (dist/.build).
RUN npm run build \
 && rm -rf dist/bench dist/.build \
 && npm prune --omit=dev --no-audit --no-fund

# ---- runtime: package.json, production node_modules and dist only ----
FROM ${NODE_IMAGE} AS runtime

ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=9000

WORKDIR /app

COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist

# The application files stay owned by root (read-only for the service). Only the data
# directory of the embedded event store (used when KURRENTDB_URL is not set) is writable.
RUN mkdir -p /app/data && chown node:node /app/data

USER node

EXPOSE 9000

# Health checks are declared per role in docker-compose.yml (the publisher and the
# projector answer on HEALTH_PORT, the command service on PORT).
CMD ["node", "--enable-source-maps", "dist/services/command/main.js"]
