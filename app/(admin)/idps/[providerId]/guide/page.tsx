import type { Metadata } from 'next'
import type { ReactNode } from 'react'
import { requireOperator } from '@/lib/auth/session'
import { listProviderCustomAttributes } from '@/lib/services/custom-attributes'
import { hrefWith } from '@/lib/portal/href'
import { IdpPageHeader } from '@/components/admin/idp-tabs'
import { TenantUrl } from '@/components/admin/tenant-url'
import { Card, TextLink } from '@/components/ui/basics'
import { loadProvider } from '../load-provider'

export const metadata: Metadata = { title: 'Setup guide' }

const mappings: [string, string][] = [
  ['externalId', 'objectId'],
  ['emails[type eq "work"].value', 'mail'],
  ['userName', 'userPrincipalName'],
  ['displayName', 'displayName'],
  ['name.givenName', 'givenName'],
  ['name.familyName', 'surname'],
  ['title', 'jobTitle'],
  ['phoneNumbers[type eq "work"].value', 'telephoneNumber'],
  ['phoneNumbers[type eq "mobile"].value', 'mobile'],
  ['urn:ietf:params:scim:schemas:extension:enterprise:2.0:User.employeeNumber', 'employeeId'],
  ['active', 'Switch([IsSoftDeleted], , "False", "True", "True", "False")'],
]

function Table({ caption, head, rows }: { caption: string; head: string[]; rows: ReactNode[][] }) {
  return (
    <div className="overflow-x-auto">
      <table className="w-full text-left text-sm">
        <caption className="mb-1 text-left text-sm font-semibold">{caption}</caption>
        <thead>
          <tr className="border-b border-slate-300 text-slate-600">
            {head.map((cell) => (
              <th key={cell} scope="col" className="py-2 pr-3">
                {cell}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row, index) => (
            <tr key={index} className="border-b border-slate-100 align-top">
              {row.map((cell, cellIndex) => (
                <td key={cellIndex} className="py-2 pr-3">
                  {cell}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}

const code = (text: string) => <code className="break-all font-mono text-xs">{text}</code>

/** The customer guide with this IdP's Tenant URL and links into its own log. */
export default async function GuidePage({ params }: { params: Promise<{ providerId: string }> }) {
  const operator = await requireOperator()
  const { providerId } = await params
  const provider = await loadProvider(providerId)
  const attributes = await listProviderCustomAttributes(providerId)
  const logs = (filter: Record<string, string>) => hrefWith('/logs', { idp: providerId, ...filter })
  const users = (filter: Record<string, string>) => hrefWith('/users', { idp: providerId, ...filter })
  const isAdmin = operator.role === 'admin'
  const issues: ReactNode[][] = [
    [
      <TextLink key="l" href={logs({ status: '401' })}>
        Test Connection fails with 401
      </TextLink>,
      'Invalid or expired Secret Token',
      isAdmin ? (
        <TextLink key="f" href={`/idps/${providerId}/tokens`}>
          Issue a new token
        </TextLink>
      ) : (
        'An admin issues a new token'
      ),
    ],
    [
      <TextLink key="l" href={logs({ status: '403' })}>
        Test Connection fails with 403
      </TextLink>,
      'SCIM not enabled on this IdP',
      <TextLink key="f" href={`/idps/${providerId}`}>
        Enable SCIM
      </TextLink>,
    ],
    [
      <TextLink key="l" href={logs({ status: '404' })}>
        Test Connection fails with 404
      </TextLink>,
      'Wrong Tenant URL (incorrect provider_id)',
      'Re-copy the Tenant URL above',
    ],
    [
      <TextLink key="l" href={users({ missing: 'custom' })}>
        Users created but missing attributes
      </TextLink>,
      'Mappings not configured in Entra, or custom attribute not registered here',
      <TextLink key="f" href={`/idps/${providerId}/attributes`}>
        Check custom attributes
      </TextLink>,
    ],
    [
      <TextLink key="l" href={users({ missing: 'custom' })}>
        Newly created users missing custom extension attributes
      </TextLink>,
      'Entra omits custom extensions from the initial POST',
      'Run Provisioning → Provision on demand for the user',
    ],
    [
      <TextLink key="l" href={logs({ status: '403' })}>
        &quot;Insufficient scope&quot; errors (403)
      </TextLink>,
      'Token issued without all scopes',
      'Re-issue the token with full scopes',
    ],
    [
      <TextLink key="l" href={logs({ status: '4xx' })}>
        Quarantine on the Provisioning blade
      </TextLink>,
      'Too many failures in the initial cycle',
      'Resolve the root cause in the log, then resume provisioning',
    ],
    [
      <TextLink key="l" href={logs({ status: '400', method: 'PATCH' })}>
        400s on multi-valued PATCH or active toggles
      </TextLink>,
      'Pre-June-2020 SCIM payload shapes',
      <>Append {code('?aadOptscim062020')} to the Tenant URL</>,
    ],
    [
      <TextLink key="l" href={users({})}>
        Cleared attribute in Entra not cleared here
      </TextLink>,
      'Entra omits cleared attributes instead of sending remove',
      "Re-assign the user in Entra, or clear it on the user's page",
    ],
  ]
  return (
    <>
      <IdpPageHeader
        provider={provider}
        section="setup guide"
        current="guide"
        isAdmin={isAdmin}
        description={
          provider.kind === 'entra'
            ? 'Microsoft Entra ID'
            : `${provider.kind}: follow the IdP's SCIM 2.0 app instructions with the values below.`
        }
      />
      <div className="space-y-6">
        <Card title="Values to paste">
          <TenantUrl url={provider.tenantUrl} entra={provider.kind === 'entra'} />
          <p className="mt-2 text-sm">
            Secret Token:{' '}
            {isAdmin ? <TextLink href={`/idps/${providerId}/tokens`}>generate one</TextLink> : 'an admin generates one'} (shown
            once).
          </p>
        </Card>
        <Card title="Step 1: Create an Enterprise Application in Entra ID">
          <ol className="list-decimal space-y-1 pl-5 text-sm">
            <li>Microsoft Entra admin center → Entra ID → Enterprise apps → New application → Create your own application.</li>
            <li>
              Name it (e.g. TraffiTech SCIM), choose &quot;Integrate any other application you don&apos;t find in the gallery
              (Non-gallery)&quot;, Create.
            </li>
            <li>Use a dedicated app: the SSO app registration has no Provisioning blade.</li>
          </ol>
        </Card>
        <Card title="Step 2: Configure provisioning">
          <ol className="list-decimal space-y-1 pl-5 text-sm">
            <li>Manage → Provisioning, then Provisioning again; set Provisioning Mode to Automatic.</li>
            <li>
              Admin Credentials: Authentication Method Bearer Authentication; Tenant URL {code(provider.tenantUrl)} (append{' '}
              {code('?aadOptscim062020')} for Entra&apos;s SCIM compliance fixes); Secret Token from above.
            </li>
            <li>
              Test Connection, then Save. The request appears in this IdP&apos;s{' '}
              <TextLink href={logs({})}>provisioning log</TextLink>.
            </li>
          </ol>
        </Card>
        <Card title="Step 3: Configure attribute mappings">
          <Table
            caption="Attribute mapping"
            head={['SCIM attribute', 'Entra ID attribute']}
            rows={mappings.map(([scim, entra]) => [code(scim), code(entra)])}
          />
          <p className="mt-4 text-sm">
            Custom attributes (Show advanced options → Edit attribute list for customappsso) must be registered here too, or their
            values are discarded:
          </p>
          <Table
            caption="Custom attributes registered for this IdP"
            head={['Name', 'Type', 'Names accepted']}
            rows={
              attributes.length
                ? attributes.map((attribute) => [
                    code(attribute.name),
                    attribute.type,
                    <span key="n">
                      {attribute.acceptedNames.map((name) => (
                        <span key={name} className="block">
                          {code(name)}
                        </span>
                      ))}
                    </span>,
                  ])
                : [['None registered yet', '', '']]
            }
          />
          <p className="mt-2 text-sm">
            Entra may omit custom attributes from the first POST: run <strong>Provision on demand</strong> for affected users.
            Cleared values are never sent by Entra: clear them on the user&apos;s page here.
          </p>
        </Card>
        <Card title="Steps 4–6: Scope, enable, monitor">
          <ol className="list-decimal space-y-1 pl-5 text-sm">
            <li>
              Provisioning → Settings → Scope: &quot;Sync only assigned users and groups&quot; (recommended). Only users are
              provisioned; groups are not.
            </li>
            <li>
              Set Provisioning Status to On and Save. The initial cycle can take hours; later cycles run about every 40 minutes.
            </li>
            <li>Check Entra&apos;s Provisioning logs and this IdP&apos;s log; send support the time and the affected mail.</li>
          </ol>
        </Card>
        <Card title="Common issues">
          <Table
            caption="Symptoms link to the log filter that shows them"
            head={['Symptom', 'Likely cause', 'Fix']}
            rows={issues}
          />
        </Card>
      </div>
    </>
  )
}
