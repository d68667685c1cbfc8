import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'postgresql',
  schema: './src/data-access/db/schema.ts',
  out: './drizzle',
});
