# syntax=docker/dockerfile:1
# Multi-stage build of the incident bot. Migrations apply on start (src/db/database.ts, before the
# bot listens); data lives in /app/data unless DATABASE_URL points at a PostgreSQL server.

FROM node:24-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json prisma.config.ts ./
COPY prisma ./prisma
COPY scripts/prisma-generate.mjs ./scripts/prisma-generate.mjs
# postinstall generates the Prisma client into src/generated
RUN npm ci --omit=dev --no-audit --no-fund

FROM node:24-bookworm-slim AS runtime
ENV NODE_ENV=production PORT=3000 DATA_DIR=/app/data
WORKDIR /app
COPY --from=deps --chown=node:node /app/node_modules ./node_modules
# What `npm start` reads at run time: Node runs the TypeScript sources (it strips the types), migrations
# come from prisma/, and scripts/ serves `npm run db:migrate` and `npm run review` in the container.
COPY --chown=node:node package.json prisma.config.ts tsconfig.json ./
COPY --chown=node:node prisma ./prisma
COPY --chown=node:node scripts ./scripts
COPY --chown=node:node src ./src
# The client generated in the deps stage, from the same schema (.dockerignore keeps a local one out).
COPY --from=deps --chown=node:node /app/src/generated ./src/generated
RUN mkdir -p /app/data && chown node:node /app/data
USER node
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "--disable-warning=ExperimentalWarning", "src/main.ts"]
