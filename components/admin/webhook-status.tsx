import { Badge, Time } from '../ui/basics'

/** Enabled, failing (since when) or disabled: the state of one webhook endpoint. */
export function WebhookStatus({ enabled, failingSince }: { enabled: boolean; failingSince: Date | null }) {
  if (!enabled) return <Badge tone="red">Disabled</Badge>
  if (failingSince) {
    return (
      <span>
        <Badge tone="amber">Failing</Badge>{' '}
        <span className="text-xs text-slate-600">
          since <Time value={failingSince} />
        </span>
      </span>
    )
  }
  return <Badge tone="green">Enabled</Badge>
}
