// npm run db:migration -- <name>: writes a new migration from the changes to prisma/schema.prisma.
import { createMigration } from '../lib/db/migrate'

const name = process.argv[2]
if (!name || !/^[a-z0-9_]+$/i.test(name)) {
  console.error('Usage: npm run db:migration -- <name>   (letters, digits and underscores)')
  process.exit(2)
}
const created = await createMigration(name)
console.log(created ? `Created prisma/migrations/${created}/migration.sql` : 'The schema has not changed: no migration written.')
