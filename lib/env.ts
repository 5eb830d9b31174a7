import { z } from 'zod'

/** `loopback`, `linklocal`, `uniquelocal`, or an IPv4/IPv6 address with an optional prefix length. */
const PROXY_ADDRESS = /^(loopback|linklocal|uniquelocal|[0-9a-f:.]+(\/\d{1,3})?)$/

export type TrustedProxies = { hops: number } | { proxies: string[] }

/** The only reader of process.env: every setting, validated once. */
const envSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    /** PostgreSQL connection string; when absent the embedded PGlite database in DATA_DIR is used. */
    DATABASE_URL: z
      .string()
      .url()
      .optional()
      .or(z.literal('').transform(() => undefined)),
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
    /**
     * Reverse proxies in front of the app, for the client address in the log: a number of trusted hops (`true`
     * is one), or a comma-separated list of proxy addresses and CIDR ranges. Unset: the TCP peer is the client.
     */
    TRUST_PROXY: z
      .string()
      .default('false')
      .transform((value, context): TrustedProxies => {
        const text = value.trim().toLowerCase()
        if (text === '' || text === 'false') return { hops: 0 }
        if (text === 'true') return { hops: 1 }
        if (/^\d{1,2}$/.test(text)) return { hops: Number(text) }
        const proxies = text
          .split(',')
          .map((entry) => entry.trim())
          .filter(Boolean)
        const invalid = proxies.filter((entry) => !PROXY_ADDRESS.test(entry))
        if (invalid.length > 0 || proxies.length === 0) {
          context.addIssue({ code: 'custom', message: `TRUST_PROXY: not a hop count or proxy address: ${invalid.join(', ')}` })
          return z.NEVER
        }
        return { proxies }
      }),
    /** SCIM requests per second and token, sustained and in a burst, per instance; 0 turns the limit off. */
    SCIM_RATE_LIMIT: z.coerce.number().min(0).default(500),
    SCIM_RATE_BURST: z.coerce.number().min(1).default(1000),
    /** Failed unauthenticated SCIM requests (401, 404) per second and client address, per instance. */
    SCIM_FAILURE_RATE_LIMIT: z.coerce.number().min(0).default(20),
    SCIM_FAILURE_RATE_BURST: z.coerce.number().min(1).default(100),
    /** PostgreSQL only: longest a statement may run before it is cancelled (503 with Retry-After); 0 is no limit. */
    DATABASE_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(0).default(5000),
    /** A portal session ends after this many minutes without a request. */
    SESSION_IDLE_MINUTES: z.coerce
      .number()
      .int()
      .min(1)
      .max(24 * 60)
      .default(30),
    /** A portal session ends this many hours after sign-in, however active. */
    SESSION_MAX_HOURS: z.coerce
      .number()
      .int()
      .min(1)
      .max(7 * 24)
      .default(8),
    /** Directory API requests per second and API key, sustained and in a burst, per instance; 0 turns the limit off. */
    DIRECTORY_RATE_LIMIT: z.coerce.number().min(0).default(100),
    DIRECTORY_RATE_BURST: z.coerce.number().min(1).default(200),
    /** Largest accepted directory API request body, in bytes. */
    DIRECTORY_MAX_BODY_BYTES: z.coerce.number().int().positive().default(65_536),
    /**
     * How old a user change must be before GET /api/v1/users lists it, in milliseconds: longer than any user
     * write transaction plus the clock difference between instances, so no change can commit behind a cursor.
     */
    DIRECTORY_SETTLE_MS: z.coerce.number().int().min(0).default(5_000),
    /** Request and response bodies in the provisioning log are kept this many days. */
    LOG_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
    /** The rest of a provisioning log record (who, what, when, status, changes) is kept this many days. */
    LOG_METADATA_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(180),
    /** User events (the events API and webhooks) are kept this many days; consumers have at least this long to catch up. */
    EVENT_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
    /** How often the retention job runs. */
    RETENTION_INTERVAL_MINUTES: z.coerce
      .number()
      .int()
      .min(1)
      .max(24 * 60)
      .default(10),
    /** Quarantine early warning: the window over which an IdP's failure ratio is taken (Entra's cycle is about 40 minutes). */
    QUARANTINE_WINDOW_MINUTES: z.coerce
      .number()
      .int()
      .min(1)
      .max(24 * 60)
      .default(40),
    /** Warn when at least this share of an IdP's requests in the window failed… */
    QUARANTINE_WARNING_RATIO: z.coerce.number().gt(0).max(1).default(0.2),
    /** …and at least this many did. */
    QUARANTINE_WARNING_MIN_FAILURES: z.coerce.number().int().min(1).default(10),
    /** Pool size for PostgreSQL. */
    DATABASE_POOL_SIZE: z.coerce.number().int().positive().default(10),
    /**
     * The hot path's statements go as named prepared statements (parsed and planned once per connection). Set
     * false behind a pooler that hands a session's statements to other server connections (PgBouncer in
     * transaction mode before 1.21, or without max_prepared_statements).
     */
    DATABASE_PREPARED_STATEMENTS: z
      .enum(['true', 'false', ''])
      .default('true')
      .transform((value) => value !== 'false'),
    /** Lowest level of the JSON server log (stdout). */
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    /** Where the JSON log goes; the operator CLI sets stderr, so its own output on stdout stays parseable. */
    LOG_DESTINATION: z.enum(['stdout', 'stderr']).default('stdout'),
    /** When set, GET /metrics requires `Authorization: Bearer <METRICS_TOKEN>`; unset, /metrics is open. */
    METRICS_TOKEN: z
      .string()
      .optional()
      .transform((value) => (value === undefined || value.trim() === '' ? undefined : value)),
    /** Graceful shutdown: in-flight requests and the log flush get this long before the process exits anyway. */
    SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
    /** Any value: the migration engine logs what it does to stderr. */
    DEBUG_SCHEMA_ENGINE: z
      .string()
      .optional()
      .transform((value) => Boolean(value)),
    /** Webhooks may go to loopback, private and link-local addresses (tests, on-premises receivers). */
    WEBHOOK_ALLOW_PRIVATE: z
      .enum(['true', 'false', ''])
      .default('false')
      .transform((value) => value === 'true'),
    /** Runs the webhook delivery worker in this process (set false on instances that should only serve). */
    WEBHOOK_WORKER: z
      .enum(['true', 'false', ''])
      .default('true')
      .transform((value) => value !== 'false'),
    /** How often an idle worker looks for new events and due deliveries. */
    WEBHOOK_POLL_INTERVAL_MS: z.coerce.number().int().min(10).max(60_000).default(1000),
    /** A delivery attempt that has no complete answer after this long counts as failed. */
    WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(10_000),
    /** Backoff between retries: the first delay, doubled per attempt (with jitter) up to the maximum. */
    WEBHOOK_RETRY_BASE_MS: z.coerce.number().int().min(1).default(5_000),
    WEBHOOK_RETRY_MAX_MS: z.coerce
      .number()
      .int()
      .min(1)
      .default(3 * 3_600_000),
    /** A failing delivery is retried for at least this long before it is given up. */
    WEBHOOK_RETRY_WINDOW_HOURS: z.coerce.number().min(0).default(24),
    /** An endpoint whose deliveries have failed for this long is disabled (the dashboard says so). */
    WEBHOOK_DISABLE_AFTER_HOURS: z.coerce.number().min(0).default(72),
    /** Endpoints one instance delivers to at once (each endpoint gets one sender, to keep its order). */
    WEBHOOK_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(8),
    /** Finished deliveries and their attempts are kept this many days. */
    WEBHOOK_DELIVERY_RETENTION_DAYS: z.coerce.number().int().min(1).default(30),
  })
  .refine((settings) => settings.LOG_METADATA_RETENTION_DAYS >= settings.LOG_RETENTION_DAYS, {
    message: 'LOG_METADATA_RETENTION_DAYS must be at least LOG_RETENTION_DAYS: a record cannot go before its body.',
  })

export type Env = z.infer<typeof envSchema>

let cached: Env | undefined

export function env(): Env {
  cached ??= envSchema.parse(process.env)
  return cached
}
