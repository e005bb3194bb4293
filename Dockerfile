# posdiag in a container. Build: docker build -t posdiag .
# Run with a serial printer (see README "Docker"):
#   docker run -d --name posdiag --network host \
#     --device /dev/serial/by-id/usb-XXXX:/dev/ttyPRINTER --group-add dialout \
#     -v /etc/posdiag:/etc/posdiag:ro -v posdiag-data:/var/lib/posdiag \
#     posdiag run --config /etc/posdiag/posdiag.yaml

FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY drivers ./drivers
COPY bench ./bench
COPY test/helpers ./test/helpers
# npm ci runs "prepare" (the TypeScript build); then drop the dev dependencies.
RUN npm ci && npm prune --omit=dev

FROM node:20-bookworm-slim
# ping for the network probes (the agent falls back to TCP timing without it).
RUN apt-get update \
    && apt-get install -y --no-install-recommends iputils-ping \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY bin ./bin
COPY config ./config
RUN mkdir -p /var/lib/posdiag && chown node:node /var/lib/posdiag
# The image's unprivileged "node" user; serial devices need --group-add dialout at run time.
USER node
EXPOSE 9137
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s \
    CMD ["node", "-e", "fetch('http://127.0.0.1:9137/healthz').then((r)=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# A 1 MB young generation keeps the heap (and RSS) flat under a steady poll load; see BENCHMARKS.md.
ENTRYPOINT ["node", "--max-semi-space-size=1", "bin/posdiag.js"]
CMD ["run"]
