import 'server-only'
import { readFile, readdir, mkdir, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { env } from '../env'
import { bindMigrationAwareSqlAdapterFactory, type SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils'

/**
 * Prisma migrations without the native schema engine: the same engine compiled to WebAssembly
 * (@prisma/schema-engine-wasm), driven through a driver adapter. It reads and writes the usual
 * prisma/migrations folder and _prisma_migrations table, so `prisma migrate deploy` stays compatible.
 */

const projectRoot = process.cwd()
export const migrationsDir = path.join(projectRoot, 'prisma', 'migrations')
const schemaPath = path.join(projectRoot, 'prisma', 'schema.prisma')

type WasmGlue = typeof import('@prisma/schema-engine-wasm/schema_engine_bg')
type SchemaEngine = import('@prisma/schema-engine-wasm').SchemaEngine
type MigrationList = Parameters<SchemaEngine['applyMigrations']>[0]['migrationsList']

let gluePromise: Promise<WasmGlue> | undefined

/**
 * Node's ESM loader rejects the package's `.wasm` import, so instantiate the module by hand. The package is
 * located at run time from the project root, never by a bundler: Next bundles this file for `next dev` and
 * would rewrite a statically visible path.
 */
function loadWasmGlue(): Promise<WasmGlue> {
  gluePromise ??= (async () => {
    const projectRequire = createRequire(path.join(projectRoot, 'package.json'))
    const gluePath = projectRequire.resolve('@prisma/schema-engine-wasm/schema_engine_bg')
    const glue = (await import(/* turbopackIgnore: true */ /* webpackIgnore: true */ pathToFileURL(gluePath).href)) as WasmGlue
    const wasmPath = path.join(path.dirname(gluePath), 'schema_engine_bg.wasm')
    const { instance } = await WebAssembly.instantiate(await readFile(wasmPath), {
      './schema_engine_bg.js': glue as unknown as WebAssembly.ModuleImports,
    })
    glue.__wbg_set_wasm(instance.exports)
    ;(instance.exports.__wbindgen_start as () => void)()
    return glue
  })()
  return gluePromise
}

async function openEngine(factory: SqlMigrationAwareDriverAdapterFactory, schema?: string): Promise<SchemaEngine> {
  const glue = await loadWasmGlue()
  const datamodels: [string, string][] | undefined = schema ? [[schemaPath, schema]] : undefined
  const adapter = bindMigrationAwareSqlAdapterFactory(factory)
  const log = env().DEBUG_SCHEMA_ENGINE ? (line: string) => console.error(line) : () => {}
  return glue.SchemaEngine.new({ datamodels }, log, adapter)
}

async function readMigrationList(): Promise<MigrationList> {
  const entries = await readdir(migrationsDir, { withFileTypes: true }).catch(() => [])
  const directories = entries
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort()
  const migrationDirectories = await Promise.all(
    directories.map(async (name) => {
      const content = await readFile(path.join(migrationsDir, name, 'migration.sql'), 'utf8').then(
        (sql) => ({ tag: 'ok' as const, value: sql }),
        (error: Error) => ({ tag: 'error' as const, value: error.message }),
      )
      return { path: name, migrationFile: { path: 'migration.sql', content } }
    }),
  )
  const lockPath = path.join(migrationsDir, 'migration_lock.toml')
  return {
    baseDir: migrationsDir,
    lockfile: { path: 'migration_lock.toml', content: await readFile(lockPath, 'utf8').catch(() => null) },
    shadowDbInitScript: '',
    migrationDirectories,
  }
}

const noFilters = { externalTables: [], externalEnums: [] }

/** Applies every migration in prisma/migrations that the database has not seen. Returns their names. */
export async function applyPendingMigrations(factory: SqlMigrationAwareDriverAdapterFactory): Promise<string[]> {
  const engine = await openEngine(factory)
  try {
    const { appliedMigrationNames } = await engine.applyMigrations({
      migrationsList: await readMigrationList(),
      filters: noFilters,
    })
    return appliedMigrationNames
  } finally {
    engine.free()
  }
}

/**
 * Writes prisma/migrations/<timestamp>_<name>/migration.sql from the difference between the migration
 * history and schema.prisma. Returns the new folder's name, or null when the schema has not changed.
 * The history is replayed on a scratch in-memory PGlite and diffed against the schema there, so no shadow
 * database (and no right to create one) is needed on the real server.
 */
export async function createMigration(name: string): Promise<string | null> {
  const schema = await readFile(schemaPath, 'utf8')
  const [{ PGlite }, { PrismaPGlite }, { pg_trgm }] = await Promise.all([
    import('@electric-sql/pglite'),
    import('pglite-prisma-adapter'),
    import('@electric-sql/pglite/contrib/pg_trgm'),
  ])
  // The migrations create pg_trgm, so the scratch database needs it as the app's does.
  const scratch = new PGlite({ extensions: { pg_trgm } })
  const engine = await openEngine(new PrismaPGlite(scratch), schema)
  try {
    await engine.applyMigrations({ migrationsList: await readMigrationList(), filters: noFilters })
    const files = [{ path: schemaPath, content: schema }]
    const { stdout } = await engine.diff({
      from: { tag: 'schemaDatasource', files, configDir: projectRoot },
      to: { tag: 'schemaDatamodel', files },
      script: true,
      exitCode: null,
      filters: noFilters,
    })
    const script = stdout?.trim() ?? ''
    if (script === '' || script === '-- This is an empty migration.') return null
    const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14)
    const folderName = `${stamp}_${name}`
    await mkdir(path.join(migrationsDir, folderName), { recursive: true })
    await writeFile(path.join(migrationsDir, folderName, 'migration.sql'), `${script}\n`)
    await writeFile(
      path.join(migrationsDir, 'migration_lock.toml'),
      '# Please do not edit this file manually\n# It should be added in your version-control system (e.g., Git)\nprovider = "postgresql"\n',
    )
    return folderName
  } finally {
    engine.free()
    await scratch.close()
  }
}
