/**
 * Micro-benchmark of the request log's redaction (not a test): `npx tsx scripts/bench-redact.ts`.
 * Prints the cost per call of what the SCIM funnel runs on every request — typical Entra bodies, which the
 * pre-check lets through untouched — and of hostile 1 MiB bodies that take the full scan.
 */
import { redactBodyText, redactChanges, redactLogText } from '../lib/redact'

const entraUser = JSON.stringify({
  schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'],
  externalId: '6f2b9c1e-3c1a-4b7e-9a55-2d8e4f0c7a11',
  userName: 'adele.vance@contoso.example',
  active: true,
  displayName: 'Adele Vance',
  title: 'Retail Manager',
  emails: [{ primary: true, type: 'work', value: 'adele.vance@contoso.example' }],
  meta: { resourceType: 'User' },
  name: { formatted: 'Adele Vance', familyName: 'Vance', givenName: 'Adele' },
  phoneNumbers: [
    { type: 'work', value: '+1 425 555 0109' },
    { type: 'mobile', value: '+1 425 555 0110' },
  ],
  addresses: [
    {
      type: 'work',
      formatted: '18 Main St',
      streetAddress: '18 Main St',
      locality: 'Redmond',
      postalCode: '98052',
      country: 'US',
    },
  ],
  roles: [],
  'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': {
    employeeNumber: '100042',
    department: 'Retail',
    manager: { value: 'b1c2' },
  },
})
const entraPatch = JSON.stringify({
  schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
  Operations: [
    { op: 'Replace', path: 'displayName', value: 'Adele V.' },
    { op: 'Replace', path: 'title', value: 'Store Manager' },
    { op: 'Add', path: 'emails[type eq "work"].value', value: 'adele@contoso.example' },
  ],
})
const entraQuery = 'filter=userName+eq+%22adele.vance%40contoso.example%22'
const withPassword = JSON.stringify({ ...JSON.parse(entraUser), password: 'Pa55-w0rd!' })
const patchPassword = JSON.stringify({ Operations: [{ op: 'replace', path: 'password', value: 'Pa55-w0rd!' }] })

const MiB = 1024 * 1024
const operation = '{"op":"replace","path":"password","value":"Pa55-w0rd!"},'
const hostile: Array<[string, string]> = [
  ['1 MiB of PATCH password operations', `{"Operations":[${operation.repeat(Math.floor(MiB / operation.length))}{}]}`],
  ['1 MiB malformed, many secret keys', `{${'"password":"x","token":1,'.repeat(MiB / 26)}`],
  ['1 MiB nested 100000 deep', `${'{"password":'.repeat(80_000)}1`],
  ['1 MiB of one escaped string', JSON.stringify({ detail: `${'\\"password\\":\\"x\\",'.repeat(MiB / 22)}` })],
]

function measure(label: string, run: () => unknown, minimumMs = 300): void {
  run()
  let iterations = 0
  const started = performance.now()
  let elapsed = 0
  while (elapsed < minimumMs) {
    run()
    iterations++
    elapsed = performance.now() - started
  }
  const perCall = (elapsed * 1000) / iterations
  console.log(
    `${label.padEnd(52)} ${perCall >= 1000 ? `${(perCall / 1000).toFixed(1)} ms` : `${perCall.toFixed(2)} µs`} per call`,
  )
}

console.log('Typical Entra traffic (the hot path):')
measure(`POST /Users body (${entraUser.length} chars)`, () => redactBodyText(entraUser))
measure(`PATCH body (${entraPatch.length} chars)`, () => redactBodyText(entraPatch))
measure('GET query (userName eq filter)', () => redactLogText(entraQuery))
measure('path', () => redactLogText('/scim/v2/enterprise-idps/0b6c4c46-0d43-4a5c-9a64-3f1b1a4b1a11/Users'))
measure('changes (two attributes)', () =>
  redactChanges([
    { attribute: 'title', old: 'A', new: 'B' },
    { attribute: 'displayName', old: 'C', new: 'D' },
  ]),
)
console.log('Bodies that hold a secret:')
measure('POST /Users body with a password', () => redactBodyText(withPassword))
measure('PATCH replace password', () => redactBodyText(patchPassword))
console.log('Hostile 1 MiB bodies (full scan):')
for (const [label, text] of hostile) measure(label, () => redactBodyText(text), 1000)
