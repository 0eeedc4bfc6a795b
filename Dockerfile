# syntax=docker/dockerfile:1
# PulseGuard: one image for every role. The command picks the role:
#   docker run pulseguard:dev                     # start = every role, embedded store under /data
#   docker run pulseguard:dev scheduler           # one role (needs DATABASE_URL and NATS_URL)
#   docker run pulseguard:dev prober --region eu
ARG NODE_IMAGE=node:20-bookworm-slim

# Production dependencies only, installed from the lockfile.
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# Full install and build: tsc -> dist/, and the dashboard (vite) -> web/dist/ when web/ exists.
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
# web/dist is created empty when there is no dashboard yet, so the COPY below always has a source.
RUN npm run build && mkdir -p web/dist

FROM ${NODE_IMAGE} AS runtime
LABEL org.opencontainers.image.title="PulseGuard" \
      org.opencontainers.image.description="Self-hosted uptime, latency and anomaly monitoring" \
      org.opencontainers.image.licenses="MIT"
ENV NODE_ENV=production \
    PULSEGUARD_DATA_DIR=/data \
    PULSEGUARD_PORT=8080 \
    PULSEGUARD_HEALTH_PORT=8081
WORKDIR /app
# Numeric user (the image's "node" user) so Kubernetes' runAsNonRoot can verify it.
RUN mkdir -p /data && chown 1000:1000 /data
COPY --from=deps --chown=0:0 /app/node_modules ./node_modules
COPY --from=build --chown=0:0 /app/package.json ./package.json
COPY --from=build --chown=0:0 /app/bin ./bin
COPY --from=build --chown=0:0 /app/dist ./dist
COPY --from=build --chown=0:0 /app/web/dist ./web/dist
USER 1000:1000
VOLUME ["/data"]
EXPOSE 8080 8081
# No curl in slim images: Node's fetch asks /health on the API port, then on the health port
# (roles without the API serve /health there).
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "const e=process.env,p=[e.PULSEGUARD_PORT||8080,e.PULSEGUARD_HEALTH_PORT||8081];(async()=>{for(const x of p){try{const r=await fetch('http://127.0.0.1:'+x+'/health',{signal:AbortSignal.timeout(3000)});if(r.ok)process.exit(0)}catch{}}process.exit(1)})()"]
# A 4 MB young generation keeps ~30 MB less resident for a few % more GC (docs/decisions.md).
ENV NODE_OPTIONS=--max-semi-space-size=4
ENTRYPOINT ["node", "bin/pulseguard.js"]
CMD ["start"]
