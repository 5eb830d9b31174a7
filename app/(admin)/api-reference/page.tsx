import type { Metadata } from 'next'
import type { ReactNode } from 'react'
import { requireOperator } from '@/lib/auth/session'
import { env } from '@/lib/env'
import { buildOpenApiDocument } from '@/lib/http/directory-openapi'
import { Badge, Card, PageHeader, TextLink } from '@/components/ui/basics'

export const metadata: Metadata = { title: 'API reference' }

type Schema = {
  $ref?: string
  type?: string | string[]
  description?: string
  properties?: Record<string, Schema>
  required?: string[]
  items?: Schema
  enum?: unknown[]
  format?: string
  minimum?: number
  maximum?: number
  maxLength?: number
  minLength?: number
  default?: unknown
}

type Parameter = { name: string; in: string; required: boolean; description?: string; schema: Schema }
type Operation = {
  operationId: string
  summary: string
  description?: string
  'x-required-scope': string
  parameters: Parameter[]
  requestBody?: { content: Record<string, { schema: Schema }> }
  responses: Record<string, { description?: string; content?: Record<string, { schema: Schema }> }>
}

const anchor = (name: string) => `schema-${name}`

/** A schema in one line: `User`, `string (uuid)`, `array of UserEvent`, `integer 1–1000, default 100`. */
function typeOf(schema: Schema | undefined): ReactNode {
  if (!schema) return 'any'
  if (schema.$ref) {
    const name = schema.$ref.split('/').at(-1)!
    return (
      <a href={`#${anchor(name)}`} className="text-blue-700 underline">
        {name}
      </a>
    )
  }
  if (schema.type === 'array') return <>array of {typeOf(schema.items)}</>
  const base = Array.isArray(schema.type) ? schema.type.join(' or ') : (schema.type ?? 'any')
  const notes = [
    schema.format,
    schema.enum ? `one of ${schema.enum.join(', ')}` : null,
    schema.minimum !== undefined || schema.maximum !== undefined ? `${schema.minimum ?? ''}–${schema.maximum ?? ''}` : null,
    schema.maxLength !== undefined ? `max ${schema.maxLength} characters` : null,
    schema.default !== undefined ? `default ${JSON.stringify(schema.default)}` : null,
  ].filter(Boolean)
  return notes.length > 0 ? `${base} (${notes.join(', ')})` : base
}

function Properties({ schema }: { schema: Schema }) {
  const required = new Set(schema.required ?? [])
  return (
    <table className="w-full text-left text-sm">
      <thead>
        <tr className="border-b border-slate-200 text-slate-600">
          <th className="py-1 pr-4 font-medium">Field</th>
          <th className="py-1 pr-4 font-medium">Type</th>
          <th className="py-1 font-medium">Description</th>
        </tr>
      </thead>
      <tbody>
        {Object.entries(schema.properties ?? {}).map(([name, property]) => (
          <tr key={name} className="border-b border-slate-100 align-top">
            <td className="py-1 pr-4">
              <code className="font-mono">{name}</code>
              {required.has(name) ? null : <span className="text-slate-500"> (optional)</span>}
            </td>
            <td className="py-1 pr-4">{typeOf(property)}</td>
            <td className="py-1">
              {property.description ??
                (property.type === 'object' && property.properties ? <Properties schema={property} /> : null)}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}

function OperationCard({ method, path, operation }: { method: string; path: string; operation: Operation }) {
  const body = operation.requestBody?.content['application/json']?.schema
  return (
    <Card
      className="mb-6"
      title={
        <span className="inline-flex flex-wrap items-center gap-2" id={operation.operationId}>
          <Badge tone={method === 'get' ? 'blue' : 'green'}>{method.toUpperCase()}</Badge>
          <code className="font-mono">{path}</code>
        </span>
      }
    >
      <p className="font-medium">{operation.summary}</p>
      {operation.description ? <p className="mt-1 text-sm text-slate-700">{operation.description}</p> : null}
      <p className="mt-2 text-sm">
        Scope: <code className="font-mono">{operation['x-required-scope']}</code>
      </p>
      {operation.parameters.length > 0 ? (
        <>
          <h3 className="mt-4 mb-1 text-sm font-semibold">Parameters</h3>
          <Properties
            schema={{
              properties: Object.fromEntries(
                operation.parameters.map((parameter) => [
                  `${parameter.name} (${parameter.in})`,
                  { ...parameter.schema, description: parameter.description },
                ]),
              ),
              required: operation.parameters
                .filter((parameter) => parameter.required)
                .map((parameter) => `${parameter.name} (${parameter.in})`),
            }}
          />
        </>
      ) : null}
      {body ? (
        <>
          <h3 className="mt-4 mb-1 text-sm font-semibold">JSON body</h3>
          <Properties schema={body} />
        </>
      ) : null}
      <h3 className="mt-4 mb-1 text-sm font-semibold">Responses</h3>
      <ul className="space-y-1 text-sm">
        {Object.entries(operation.responses).map(([status, response]) => {
          const [contentType, content] = Object.entries(response.content ?? {})[0] ?? []
          return (
            <li key={status}>
              <code className="font-mono">{status}</code> {response.description}
              {content ? (
                <span className="text-slate-600">
                  {' '}
                  — {contentType}: {typeOf(content.schema)}
                </span>
              ) : null}
            </li>
          )
        })}
      </ul>
    </Card>
  )
}

// Admins and support staff: the reference holds no data, only the contract.
export default async function ApiReferencePage() {
  await requireOperator()
  const document = buildOpenApiDocument(env().PUBLIC_URL)
  const paths = document.paths as Record<string, Record<string, Operation>>
  const schemas = document.components.schemas as Record<string, Schema>
  return (
    <>
      <PageHeader
        title="Directory API reference"
        description={
          <span>
            {document.info.description} Machine-readable: <TextLink href="/api/v1/openapi.json">/api/v1/openapi.json</TextLink>{' '}
            (OpenAPI 3.1). Keys: <TextLink href="/api-keys">API keys</TextLink>.
          </span>
        }
      />
      <p className="mb-4 text-sm text-slate-700">
        Base URL <code className="font-mono">{document.servers[0]?.url}</code>. Send{' '}
        <code className="font-mono">Authorization: Bearer ttapi_…</code>.
      </p>
      {Object.entries(paths).flatMap(([path, methods]) =>
        Object.entries(methods).map(([method, operation]) => (
          <OperationCard key={`${method} ${path}`} method={method} path={path} operation={operation} />
        )),
      )}
      <h2 className="mt-8 mb-3 text-lg font-semibold">Schemas</h2>
      {Object.entries(schemas).map(([name, schema]) => (
        <Card key={name} className="mb-4" title={<span id={anchor(name)}>{name}</span>}>
          {schema.description ? <p className="mb-2 text-sm text-slate-700">{schema.description}</p> : null}
          <Properties schema={schema} />
        </Card>
      ))}
    </>
  )
}
