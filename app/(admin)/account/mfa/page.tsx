import type { Metadata } from 'next'
import { requireOperator } from '@/lib/auth/session'
import { mfaStatus, startMfaEnrolment } from '@/lib/services/operator-mfa'
import { MfaEnrolment } from '@/components/admin/mfa-enrolment'
import { Card, PageHeader, TextLink } from '@/components/ui/basics'
import { confirmMfaAction } from '../actions'

export const metadata: Metadata = { title: 'Set up two-factor sign-in' }

export default async function MfaSetupPage() {
  const operator = await requireOperator()
  const enrolment = (await mfaStatus(operator.id)).enabled ? null : await startMfaEnrolment(operator.id)
  return (
    <>
      <PageHeader title="Set up two-factor sign-in" description={<TextLink href="/account">Back to your account</TextLink>} />
      <Card className="max-w-xl">
        <MfaEnrolment enrolment={enrolment} action={confirmMfaAction} />
      </Card>
    </>
  )
}
