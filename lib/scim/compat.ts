/**
 * Compatibility rules: the non-standard request shapes we accept (mostly Microsoft Entra ID's) and rewrite
 * to RFC 7643/7644 form. Each application is reported so the request log shows how a request was read.
 */
export const compatRules = {
  opNameCase: 'op name case',
  stringBoolean: 'string boolean',
  numericString: 'numeric string',
  dottedKeyInPathlessValue: 'dotted key in a path-less value',
  urnKeyInPathlessValue: 'URN-qualified key in a path-less value',
  filteredPathCreatedOnMiss: 'filtered path created on a miss',
  plainNameCustomAttribute: 'plain-name custom attribute',
  foreignExtensionUrn: 'custom attribute under another extension URN',
  extensionNotInSchemas: 'extension not listed in schemas',
  attributeNameCase: 'attribute name case',
  managerBareString: 'manager as a bare string',
  singleValueInArray: 'single value wrapped in an array',
  removeWithValue: 'remove with a value',
  unqualifiedEnterpriseAttribute: 'unqualified enterprise attribute',
  emptyValueClears: 'empty value clears the attribute',
  activeKeptOnRemove: 'remove of active keeps the account state',
} as const

export type CompatRule = (typeof compatRules)[keyof typeof compatRules]

/** Collects the rules applied while reading one request, each once, in first-seen order. */
export class CompatLog {
  private readonly rules = new Set<CompatRule>()

  add(rule: CompatRule): void {
    this.rules.add(rule)
  }

  list(): CompatRule[] {
    return [...this.rules]
  }
}
