# posdiag in a container. Build: docker build -t posdiag .
# Run with a serial printer (README, "Docker"):
#   docker run -d --name posdiag --restart unless-stopped --network host \
#     --device /dev/serial/by-id/usb-XXXX:/dev/ttyPRINTER --group-add dialout \
#     -v /etc/posdiag:/etc/posdiag:ro -v posdiag-data:/var/lib/posdiag \
#     posdiag run --config /etc/posdiag/posdiag.yaml
# Checked by test/unit/dockerfile.test.ts (dockerfilelint, zero findings).

# ---- build: compile TypeScript and native modules, then keep production dependencies only ----
FROM node:20-bookworm-slim AS build
# better-sqlite3 compiles SQLite when no prebuilt binary can be downloaded: it needs a toolchain,
# which stays in this stage.
RUN apt-get update \
    && apt-get install -y --no-install-recommends python3 make g++ \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
# Dependencies first, so that a source change does not rebuild them. Our own "prepare" (the
# TypeScript build) cannot run before the sources are here, so scripts are skipped and the two
# native modules are built explicitly.
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts && npm rebuild better-sqlite3 @serialport/bindings-cpp
COPY . .
RUN npm run build && npm prune --omit=dev

# ---- runtime: slim Node LTS, no compiler, no npm cache, not root ----
FROM node:20-bookworm-slim
# ping for the ICMP checks (the agent falls back to TCP timing without it). The image's ping has
# the cap_net_raw file capability; Docker's default capabilities include NET_RAW.
RUN apt-get update \
    && apt-get install -y --no-install-recommends iputils-ping \
    && rm -rf /var/lib/apt/lists/*
# A dedicated unprivileged user in the image's dialout group (GID 20, as on Debian and Ubuntu
# hosts); serial devices from the host need --group-add with the host's GID of the device.
RUN groupadd --system posdiag \
    && useradd --system --uid 10001 --gid posdiag --groups dialout \
       --home-dir /var/lib/posdiag --shell /usr/sbin/nologin posdiag \
    && mkdir -p /var/lib/posdiag /etc/posdiag \
    && chown posdiag:posdiag /var/lib/posdiag
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist/src ./dist/src
COPY --from=build /app/dist/drivers ./dist/drivers
COPY --from=build /app/bin ./bin
COPY --from=build /app/config ./config
USER posdiag
# storage.dir ./data (the default) lands in the volume.
WORKDIR /var/lib/posdiag
VOLUME ["/var/lib/posdiag"]
EXPOSE 9137
# `posdiag health` reads the same config as the agent (POSDIAG_CONFIG), so it asks the port and
# scheme the agent really uses, HTTPS included; no curl in the image. (No --start-period:
# dockerfilelint 1.8 misreads it, and the agent listens within a second, well inside 3 retries.)
HEALTHCHECK --interval=30s --timeout=5s --retries=3 \
    CMD ["node", "/app/bin/posdiag.js", "health"]
# A 1 MB young generation keeps the heap (and RSS) flat under a steady poll load; see BENCHMARKS.md.
# SIGTERM (docker stop) ends the agent cleanly within 10 s, under Docker's default grace period.
ENTRYPOINT ["node", "--max-semi-space-size=1", "/app/bin/posdiag.js"]
CMD ["run"]
