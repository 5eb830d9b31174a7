import { z } from 'zod'

/** The only reader of process.env: every setting, validated once. */
const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  /** PostgreSQL connection string; when absent the embedded PGlite database in DATA_DIR is used. */
  DATABASE_URL: z.string().url().optional().or(z.literal('').transform(() => undefined)),
  DATA_DIR: z.string().default('./data'),
  /** Public base URL, used for tenant URLs and meta.location (set it behind a reverse proxy). */
  PUBLIC_URL: z
    .string()
    .url()
    .default('http://localhost:3000')
    .transform((url) => url.replace(/\/+$/, '')),
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  HOSTNAME: z.string().default('0.0.0.0'),
  /** Largest accepted SCIM request body, in bytes. */
  SCIM_MAX_BODY_BYTES: z.coerce.number().int().positive().default(1_048_576),
  NEXTAUTH_SECRET: z.string().optional(),
  /** Believe X-Forwarded-For for the client address in the log: only behind a reverse proxy that sets it. */
  TRUST_PROXY: z
    .enum(['true', 'false', '1', '0', ''])
    .default('false')
    .transform((value) => value === 'true' || value === '1'),
  /** A portal session ends after this many minutes without a request. */
  SESSION_IDLE_MINUTES: z.coerce.number().int().min(1).max(24 * 60).default(30),
  /** A portal session ends this many hours after sign-in, however active. */
  SESSION_MAX_HOURS: z.coerce.number().int().min(1).max(7 * 24).default(8),
  /** Pool size for PostgreSQL. */
  DATABASE_POOL_SIZE: z.coerce.number().int().positive().default(10),
})

export type Env = z.infer<typeof envSchema>

let cached: Env | undefined

export function env(): Env {
  cached ??= envSchema.parse(process.env)
  return cached
}
