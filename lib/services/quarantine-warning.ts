import 'server-only'
import { countOutcomesSince, findTopFailureCauses } from '../db/provisioning-requests'
import { listProviderNames } from '../db/identity-providers'
import { env } from '../env'

/**
 * Early warning before Entra quarantines an app. Entra puts a provisioning job in quarantine when most of its
 * requests fail, typically within one cycle (about 40 minutes), and then retries only rarely: warn while there is
 * still time to fix the cause. Per IdP over the last QUARANTINE_WINDOW_MINUTES: warn when failures reach
 * QUARANTINE_WARNING_RATIO of the requests and number at least QUARANTINE_WARNING_MIN_FAILURES.
 */

export type FailureCause = { status: number; scimType: string | null; detail: string | null; count: number }

export type QuarantineWarning = {
  providerId: string
  providerName: string
  since: Date
  windowMinutes: number
  total: number
  failures: number
  ratio: number
  causes: FailureCause[]
}

export type OutcomeRatio = { providerId: string; total: number; failures: number; ratio: number; atRisk: boolean }

function windowStart(now: Date): Date {
  return new Date(now.getTime() - env().QUARANTINE_WINDOW_MINUTES * 60_000)
}

function atRisk(total: number, failures: number): boolean {
  const { QUARANTINE_WARNING_RATIO, QUARANTINE_WARNING_MIN_FAILURES } = env()
  return failures >= QUARANTINE_WARNING_MIN_FAILURES && total > 0 && failures / total >= QUARANTINE_WARNING_RATIO
}

/** Every IdP's (or one's) failure ratio over the window, with whether it crosses the threshold. */
export async function failureRatios(now = new Date(), providerId?: string): Promise<OutcomeRatio[]> {
  const rows = await countOutcomesSince(windowStart(now), providerId)
  return rows.map((row) => ({
    ...row,
    ratio: row.total > 0 ? row.failures / row.total : 0,
    atRisk: atRisk(row.total, row.failures),
  }))
}

/** The IdPs heading for quarantine now, each with its top failure causes; `providerId` narrows it to one. */
export async function quarantineWarnings(now = new Date(), providerId?: string): Promise<QuarantineWarning[]> {
  const since = windowStart(now)
  // For one IdP's page only that IdP's window is counted, not every IdP's.
  const risky = (await failureRatios(now, providerId)).filter((row) => row.atRisk)
  if (risky.length === 0) return []
  const names = new Map((await listProviderNames()).map((provider) => [provider.id, provider.name]))
  return Promise.all(
    risky.map(async (row) => ({
      providerId: row.providerId,
      providerName: names.get(row.providerId) ?? row.providerId,
      since,
      windowMinutes: env().QUARANTINE_WINDOW_MINUTES,
      total: row.total,
      failures: row.failures,
      ratio: row.ratio,
      causes: await findTopFailureCauses(row.providerId, since, 3),
    })),
  )
}
