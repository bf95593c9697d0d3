# syntax=docker/dockerfile:1
# Multi-stage build of the incident bot on Node 24, which runs the TypeScript sources itself (type
# stripping): no tsx, esbuild or compiler at run time, production dependencies only. How to build,
# run, stop and size it: docs/operations.md#deploy.

# The Prisma client, generated from prisma/schema.prisma by the Prisma CLI (a development
# dependency, with a stub engine: scripts/prisma-generate.mjs). Only src/generated leaves this stage.
FROM node:24-bookworm-slim AS client
WORKDIR /app
COPY package.json package-lock.json prisma.config.ts ./
COPY prisma ./prisma
COPY scripts/prisma-generate.mjs ./scripts/prisma-generate.mjs
RUN npm ci --ignore-scripts --no-audit --no-fund \
 && node scripts/prisma-generate.mjs

# Production dependencies only, without install scripts (the client comes from the stage above).
# @prisma/client names the prisma CLI as an optional peer, so the lock marks the CLI, Prisma Studio
# and their dependencies "devOptional", which --omit=dev alone still installs; --omit=optional
# leaves them out (the only other optional packages are per-platform binaries of build tools,
# fsevents for macOS and pg-cloudflare for Workers, none used here). Prisma's query compilers for
# databases other than PostgreSQL, and source maps, are never loaded: removed (about 60 MB).
FROM node:24-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --omit=optional --ignore-scripts --no-audit --no-fund \
 && find node_modules/@prisma/client/runtime -type f \( -name '*.map' -o \( -name 'query_compiler_*' ! -name '*.postgresql.*' \) \) -delete
# resvg (the charts' SVG to PNG, src/charts/render.ts) ships its native binary as a per-platform
# optional package, which --omit=optional leaves out: the one for this image's platform (glibc),
# at the version and integrity the lock names, is fetched and unpacked where resvg looks for it.
RUN arch="$(node -p 'process.arch')" \
 && name="@resvg/resvg-js-linux-${arch}-gnu" \
 && version="$(node -p "require('./package-lock.json').packages['node_modules/' + process.argv[1]].version" "$name")" \
 && integrity="$(node -p "require('./package-lock.json').packages['node_modules/' + process.argv[1]].integrity" "$name")" \
 && tarball="$(npm pack --silent --pack-destination /tmp "${name}@${version}")" \
 && node -e "const c=require('node:crypto'),f=require('node:fs');const [a,h]=process.argv[2].split('-');if(c.createHash(a).update(f.readFileSync(process.argv[1])).digest('base64')!==h)process.exit(1)" "/tmp/${tarball}" "$integrity" \
 && mkdir -p "node_modules/${name}" \
 && tar -xzf "/tmp/${tarball}" -C "node_modules/${name}" --strip-components=1 \
 && rm "/tmp/${tarball}"

FROM node:24-bookworm-slim AS runtime
# tini as PID 1: passes docker stop's SIGTERM to node (which drains in-flight work for up to
# SHUTDOWN_TIMEOUT_SECONDS, 25 s: give the container 30, `docker run --stop-timeout 30`) and reaps
# any exited child, so no zombie is left. -s keeps it working under `docker run --init` too.
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini \
 && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production PORT=3000 DATA_DIR=/app/data
# Node's compile cache from the process's start, src/main.ts included (src/main.ts turns it on only
# for what it loads): a restarted container reads every module stripped and compiled from /tmp,
# and Node's TypeScript stripper is not loaded at all (about 20 MB less; docs/performance.md).
ENV NODE_COMPILE_CACHE=/tmp/node-compile-cache
WORKDIR /app
# The code belongs to root and is read-only to the bot's user; only /app/data is the bot's.
# What `node src/main.ts` reads: package.json ("type": "module"), src/, the migrations in prisma/
# (applied through Prisma's WebAssembly engine, src/db/migrate.ts), and scripts/ for
# `node scripts/migrate.ts` (the migration Job), `npm run review` and `npm run audit:verify`.
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY prisma ./prisma
COPY scripts ./scripts
COPY src ./src
# The client generated in the client stage from the same schema (.dockerignore keeps a local one out).
COPY --from=client /app/src/generated ./src/generated
# The ready-made embedded database (src/db/embedded-template.ts): a first start on an empty volume
# has its files written in instead of running initdb and every migration (seconds of WebAssembly). Readable by the
# bot's user; it holds only the empty, migrated schema.
RUN node --disable-warning=ExperimentalWarning scripts/embedded-template.ts \
 && chmod 755 node_modules/.cache node_modules/.cache/incident-bot \
 && chmod 644 node_modules/.cache/incident-bot/*.tar
# The embedded database (no DATABASE_URL) lives here: mount a volume, `docker run -v incident-data:/app/data`.
RUN mkdir -p /app/data && chown node:node /app/data && chmod 700 /app/data
VOLUME /app/data
USER node
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/bin/tini", "-s", "--"]
# What `npm start` runs (docs/performance.md says why each flag): V8's young generation kept at 1 MB
# per half instead of growing to 16 MB and staying there (about 40 MB), and WebAssembly (the embedded
# database, Prisma's query compiler) on V8's baseline compiler only (about 45 MB, and a faster start).
CMD ["node", "--disable-warning=ExperimentalWarning", "--max-semi-space-size=1", "--no-wasm-tier-up", "--no-wasm-dynamic-tiering", "src/main.ts"]
