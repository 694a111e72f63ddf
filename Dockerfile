# Eve: `docker build -t eve .` then `docker run --env-file eve.env -p 3000:3000 eve`
# (or `docker run ... eve node bin/eve.js worker` for a worker-only process).

# --- build: compile TypeScript with the dev dependencies; `npm run build` also precompiles the
# build file schema and bundles the `eve` command (a few files start faster than ~200 modules) ---
FROM node:20-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY schemas ./schemas
COPY scripts/write-build-file-validator.js scripts/bundle-cli.js ./scripts/
RUN npm run build

# --- run: production dependencies and the compiled code only ---
FROM node:20-slim
ENV NODE_ENV=production
# git fetches repositories for stages that need them; tini reaps stage processes.
RUN apt-get update \
 && apt-get install -y --no-install-recommends git ca-certificates tini \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY bin ./bin
COPY schemas ./schemas
COPY app.yml ./
RUN groupadd --system eve && useradd --system --gid eve --create-home eve \
 && mkdir -p /var/lib/eve /var/lib/eve-artifacts && chown eve:eve /var/lib/eve /var/lib/eve-artifacts
USER eve
# Artifacts outlive the container only on a volume: mount one at /var/lib/eve-artifacts (or use s3).
ENV PORT=3000 EVE_WORKSPACE_DIR=/var/lib/eve EVE_ARTIFACTS_DIR=/var/lib/eve-artifacts
VOLUME /var/lib/eve-artifacts
EXPOSE 3000
# Liveness: the app answers /healthz on PORT; `eve worker` on EVE_WORKER_METRICS_PORT
# (set it for worker containers, or run them with --no-healthcheck).
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.EVE_WORKER_METRICS_PORT||process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "dist/main.js"]
