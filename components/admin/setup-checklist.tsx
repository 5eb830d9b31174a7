import { Card, TextLink } from '@/components/ui/basics'

export type SetupStep = { label: string; done: boolean; href: string; hint?: string }

/** An IdP's setup, step by step, each linked to where it is done; hidden once every step is done. */
export function SetupChecklist({ steps }: { steps: SetupStep[] }) {
  if (steps.every((step) => step.done)) return null
  return (
    <Card title="Setup checklist" className="mb-6">
      <ol className="space-y-2 text-sm" data-testid="setup-checklist">
        {steps.map((step, index) => (
          <li key={step.label} className="flex items-start gap-2" data-done={step.done}>
            <span aria-hidden="true" className={step.done ? 'text-green-700' : 'text-slate-400'}>
              {step.done ? '✓' : `${index + 1}.`}
            </span>
            <span>
              <TextLink href={step.href}>{step.label}</TextLink>
              <span className="sr-only">{step.done ? ' (done)' : ' (to do)'}</span>
              {step.hint && !step.done ? <span className="text-slate-500"> — {step.hint}</span> : null}
            </span>
          </li>
        ))}
      </ol>
    </Card>
  )
}
