import type { QuarantineWarning } from '@/lib/services/quarantine-warning'
import { hrefWith } from '@/lib/portal/href'
import { Badge, TextLink } from '@/components/ui/basics'

/** The early warning before Entra quarantines an app: what fails, how often, and where to look. */
export function QuarantineBanner({ warnings }: { warnings: QuarantineWarning[] }) {
  if (warnings.length === 0) return null
  return (
    <div className="mb-6 space-y-3" role="alert" data-testid="quarantine-warning">
      {warnings.map((warning) => (
        <div key={warning.providerId} className="rounded-md border border-red-300 bg-red-50 p-4 text-sm">
          <p className="font-medium">
            <Badge tone="red">Quarantine risk</Badge>{' '}
            <TextLink href={`/idps/${warning.providerId}`}>{warning.providerName}</TextLink>: {warning.failures} of{' '}
            {warning.total} SCIM requests failed in the last {warning.windowMinutes} minutes ({Math.round(warning.ratio * 100)}{' '}
            %). Entra puts an app in quarantine when most of its requests fail, and then retries only rarely: fix the cause now.
          </p>
          <ul className="mt-2 list-disc space-y-1 pl-5">
            {warning.causes.map((cause) => (
              <li key={`${cause.status}-${cause.scimType}-${cause.detail}`}>
                <TextLink
                  href={hrefWith('/logs', { idp: warning.providerId, status: String(cause.status), from: warning.since })}
                >
                  {cause.count} × {cause.status}
                  {cause.scimType ? ` ${cause.scimType}` : ''}
                </TextLink>
                {cause.detail ? <span className="text-slate-700"> — {cause.detail}</span> : null}
              </li>
            ))}
          </ul>
        </div>
      ))}
    </div>
  )
}
