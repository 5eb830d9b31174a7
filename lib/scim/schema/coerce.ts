import { compatRules, type CompatLog } from '../compat'
import { hasUnstorableText, unstorableTextMessage } from '../../storable-text'
import { invalidValue } from '../errors'
import { exceedsUtf8Bytes, scimLimits, stringTooLong } from '../limits'
import type { AttributeDefinition } from './attributes'
import { parseDateTime } from './date-time'

/**
 * Coerces one simple value to its attribute's declared type, RFC 7643 §2.3. Accepts the string forms IdPs
 * send ("True", "false", "42") and reports them; rejects what cannot be read with 400 invalidValue.
 * `null` passes through (it means "no value").
 */
export function coerceSimpleValue(
  definition: AttributeDefinition,
  value: unknown,
  compat: CompatLog,
  label = definition.name,
): unknown {
  if (value === null || value === undefined) return null
  switch (definition.type) {
    case 'boolean': {
      if (typeof value === 'boolean') return value
      if (typeof value === 'string') {
        const lower = value.trim().toLowerCase()
        if (lower === 'true' || lower === 'false') {
          compat.add(compatRules.stringBoolean)
          return lower === 'true'
        }
      }
      throw invalidValue(`Attribute '${label}' must be a boolean.`)
    }
    case 'integer':
    case 'decimal': {
      let number: number
      if (typeof value === 'number') {
        number = value
      } else if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) {
        compat.add(compatRules.numericString)
        number = Number(value)
      } else {
        throw invalidValue(`Attribute '${label}' must be a number.`)
      }
      if (!Number.isFinite(number)) throw invalidValue(`Attribute '${label}' must be a finite number.`)
      if (definition.type === 'integer' && !Number.isInteger(number)) {
        throw invalidValue(`Attribute '${label}' must be an integer.`)
      }
      return number
    }
    case 'dateTime': {
      if (typeof value === 'string' && parseDateTime(value) !== undefined) return storableString(value, label)
      throw invalidValue(`Attribute '${label}' must be an xsd:dateTime string, e.g. 2026-01-31T12:00:00Z.`)
    }
    case 'complex':
      throw invalidValue(`Attribute '${label}' is complex and needs an object value.`)
    default: {
      if (typeof value === 'string') return storableString(value, label)
      // Stored exactly as sent would be better, but a SCIM string attribute must be a JSON string.
      if (typeof value === 'number' || typeof value === 'boolean') return String(value)
      throw invalidValue(`Attribute '${label}' must be a string.`)
    }
  }
}

/** A string value as stored: within the length limit and free of text PostgreSQL refuses (NUL, lone surrogates). */
function storableString(value: string, label: string): string {
  if (exceedsUtf8Bytes(value, scimLimits.maxStringBytes)) throw stringTooLong(label)
  if (hasUnstorableText(value)) throw invalidValue(unstorableTextMessage(label))
  return value
}
