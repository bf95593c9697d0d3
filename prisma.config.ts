import { defineConfig } from 'prisma/config';

// Prisma 7 reads the schema location here. The bot applies migrations itself (src/db/migrate.ts)
// through Prisma's WebAssembly schema engine, so no datasource URL is needed for `prisma generate`.
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
});
