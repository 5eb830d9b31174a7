import 'server-only'
import { analyzeUserTable } from '../db/users'
import { logger } from '../ops/logger'

/**
 * Keeps the planner's statistics of the user table in step with an initial cycle. Entra can grow a directory
 * from nothing to thousands of users within a minute, before autovacuum first analyzes the table; until then the
 * planner takes the new users for a few dozen rows and sorts each list page in memory instead of reading it from
 * the index (measured at 10,000 users: 9.4 ms a page of 100, against 5 ms once analyzed). So each instance counts
 * the users it creates, and once the table may have doubled since its last known size (at least MIN_CREATED
 * creations) it analyzes the table itself, one ANALYZE at a time: a dozen runs on the way to a million users,
 * each 80 ms of database time at 10,000. Deletions only make the estimate too high, which costs no plan.
 */
export const MIN_CREATED = 1000

export class UserStatisticsRefresher {
  private created = 0
  private knownRows = 0
  private running: Promise<void> | undefined

  constructor(
    private readonly analyze: () => Promise<number> = analyzeUserTable,
    private readonly minCreated = MIN_CREATED,
    private readonly warn: (error: unknown) => void = (error) =>
      logger.warn({ err: error }, 'Refreshing the user table statistics failed'),
  ) {}

  /** Notes that users were created; starts an ANALYZE in the background once enough were. */
  noteCreated(count = 1): void {
    this.created += count
    if (this.running || this.created < Math.max(this.minCreated, this.knownRows)) return
    this.created = 0
    this.running = this.analyze()
      .then((rows) => {
        this.knownRows = rows
      })
      .catch(this.warn)
      .finally(() => {
        this.running = undefined
      })
  }

  /** The ANALYZE in progress, if any (for tests and shutdown). */
  settled(): Promise<void> {
    return this.running ?? Promise.resolve()
  }
}

export const userStatistics = new UserStatisticsRefresher()
