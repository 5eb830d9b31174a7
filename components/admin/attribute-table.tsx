'use client'

import type { ColumnDef } from '@tanstack/react-table'
import type { FormAction } from '@/lib/http/admin-action'
import { DataTable } from '../data-table/data-table'
import { ConfirmForm } from '../ui/confirm-form'
import { ActionForm, SelectField, SubmitButton, TextField } from '../ui/form'
import { focusRing } from '../ui/styles'

export type AttributeRow = {
  providerId: string
  name: string
  type: string
  description: string
  acceptedNames: string[]
  /** Estimated (from a sample of the table) for IdPs too large to count every user on each view. */
  holders: { count: number; estimated: boolean }
}

function holdersText(holders: AttributeRow['holders']): string {
  const count = holders.count.toLocaleString('en-US')
  return holders.estimated ? `about ${count}` : count
}

type Actions = { edit: FormAction; remove: FormAction; types: readonly string[] } | null

function columns(actions: Actions): ColumnDef<AttributeRow, unknown>[] {
  const base: ColumnDef<AttributeRow, unknown>[] = [
    { accessorKey: 'name', header: 'Name', cell: ({ row }) => <strong>{row.original.name}</strong> },
    { accessorKey: 'type', header: 'Type' },
    { accessorKey: 'description', header: 'Description' },
    {
      accessorKey: 'acceptedNames',
      header: 'Names the IdP may send',
      cell: ({ row }) => (
        <ul className="space-y-1">
          {row.original.acceptedNames.map((name) => (
            <li key={name}>
              <code className="break-all font-mono text-xs">{name}</code>
            </li>
          ))}
        </ul>
      ),
    },
    {
      id: 'holders',
      header: 'Users with a value',
      accessorFn: (row) => row.holders.count,
      cell: ({ row }) =>
        row.original.holders.estimated ? (
          <span title="Estimated from a sample of the users: this IdP has too many users to count on every view.">
            {holdersText(row.original.holders)} <span className="text-xs text-gray-600">(estimate)</span>
          </span>
        ) : (
          holdersText(row.original.holders)
        ),
    },
  ]
  if (!actions) return base
  return [
    ...base,
    {
      id: 'actions',
      header: 'Actions',
      cell: ({ row }) => (
        <div className="flex flex-col gap-2">
          <details>
            <summary className={`cursor-pointer rounded-sm text-sm text-blue-700 ${focusRing}`}>Edit</summary>
            <ActionForm action={actions.edit} className="mt-2 w-64 space-y-2">
              <input type="hidden" name="providerId" value={row.original.providerId} />
              <input type="hidden" name="name" value={row.original.name} />
              <SelectField
                name="type"
                label="Type"
                defaultValue={row.original.type}
                options={actions.types.map((type) => ({ value: type, label: type }))}
              />
              <TextField name="description" label="Description" defaultValue={row.original.description} maxLength={500} />
              <SubmitButton>Save</SubmitButton>
            </ActionForm>
          </details>
          <ConfirmForm
            action={actions.remove}
            hidden={{ providerId: row.original.providerId, name: row.original.name }}
            label="Remove"
            confirmLabel="Yes, remove"
            question={`${row.original.name} leaves /Schemas, and values the IdP sends for it are discarded from now on. ${holdersText(row.original.holders)} users keep their stored value.`}
          />
        </div>
      ),
    },
  ]
}

export function AttributeTable({ rows, actions }: { rows: AttributeRow[]; actions: Actions }) {
  return (
    <DataTable
      columns={columns(actions)}
      data={rows}
      caption="Custom attributes"
      empty="No custom attribute registered."
      rowTestId="attribute-row"
    />
  )
}
