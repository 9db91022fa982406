# beteiligung-gateway: build and run. The official schemas are not part of the image build context
# by default: put them in ./schemas/vendor before building (npm run schemas:install), or mount a
# directory and set GATEWAY_SCHEMA_DIR. The database lives in the /data volume.
FROM node:20-bookworm-slim AS build
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
COPY scripts ./scripts
COPY schemas ./schemas
# postinstall fills schemas/vendor (kept when already present, else downloaded from the publishers)
RUN npm ci --omit=dev

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production \
    GATEWAY_HOST=0.0.0.0 \
    GATEWAY_PORT=8080 \
    GATEWAY_DB=/data/gateway.db \
    GATEWAY_DEMO=false
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/schemas ./schemas
COPY package.json ./
COPY src ./src
COPY openapi ./openapi
COPY bin ./bin
# A fresh named volume is a copy of the image's /data, owner included: without this chown it belongs to
# root and the gateway (USER node) cannot create its database. Before VOLUME, which freezes the path.
RUN mkdir -p /data && chown node:node /data
VOLUME ["/data"]
EXPOSE 8080
USER node
# the port the gateway listens on (docker run -e GATEWAY_PORT=… changes both)
HEALTHCHECK --interval=30s --timeout=3s --start-period=30s CMD node -e "fetch('http://127.0.0.1:'+(process.env.GATEWAY_PORT||8080)+'/health').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))"
# GATEWAY_ADMIN_TOKEN must be provided at run time (docker run -e GATEWAY_ADMIN_TOKEN=...)
# the same as GATEWAY_ARGV in scripts/gateway-process.ts; node itself is PID 1 (no npm, no shell), so
# docker stop's SIGTERM reaches its graceful shutdown
CMD ["node", "--no-allocation-site-pretenuring", "--import", "tsx", "src/main.ts"]
