'use client'

import { useId, useState } from 'react'
import { CopyButton } from '../ui/copy-button'

/** The Tenant URL to paste into the IdP, optionally with Entra's post-June-2020 compliance flag. */
export function TenantUrl({ url, entra }: { url: string; entra: boolean }) {
  const [flag, setFlag] = useState(false)
  const id = useId()
  const shown = flag ? `${url}?aadOptscim062020` : url
  return (
    <div>
      <p className="text-sm font-medium" id={`${id}-label`}>
        Tenant URL
      </p>
      <div className="mt-1 flex flex-wrap items-center gap-2">
        <code
          className="break-all rounded bg-slate-100 px-2 py-1 font-mono text-sm"
          aria-labelledby={`${id}-label`}
          data-testid="tenant-url"
        >
          {shown}
        </code>
        <CopyButton value={shown} label="Copy Tenant URL" />
      </div>
      {entra ? (
        <label htmlFor={`${id}-flag`} className="mt-2 inline-flex items-center gap-2 text-sm">
          <input
            id={`${id}-flag`}
            type="checkbox"
            role="switch"
            aria-checked={flag}
            checked={flag}
            onChange={(event) => setFlag(event.target.checked)}
            className="h-4 w-4 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-600"
          />
          Add <code className="font-mono">?aadOptscim062020</code> (Entra&apos;s SCIM compliance fixes; recommended for new apps)
        </label>
      ) : null}
    </div>
  )
}
