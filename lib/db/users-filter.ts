import 'server-only'
import type { CompareFilter, CompareOperator, CompValue, FilterNode } from '../scim/filter/ast'
import { invalidFilter, invalidValue, type ScimError } from '../scim/errors'
import { findAttribute, type AttributeDefinition } from '../scim/schema/attributes'
import { parseDateTime } from '../scim/schema/date-time'
import { isUuid } from '../scim/ids'
import { CORE_USER_URN, ENTERPRISE_USER_URN, resolveAttributePath, type UserSchema } from '../scim/schema/tenant-schema'
import { Prisma } from './generated/client'
import { emailColumns, userFilterColumns } from './users'

/**
 * SCIM filters (RFC 7644 §3.4.2.2) and sortBy (§3.4.2.3) compiled to parameterized SQL over `"User" u`.
 * Attribute paths go through the schema allow-list and map to columns or JSONB paths; comparison values
 * are always bound parameters. The caller adds the tenant scope (`u."providerId" = …`).
 */

const sql = Prisma.sql
const TRUE = Prisma.raw('TRUE')
const RESOURCE = Prisma.raw('u."resource"')
const CUSTOM = Prisma.raw('u."customAttributes"')
/** One element of a multi-valued attribute, inside `jsonb_array_elements(…) AS e(v)`. */
const ELEMENT = Prisma.raw('e.v')

/** How one value of an attribute reads in SQL: a typed expression that is NULL when there is no value. */
type Scalar = {
  kind: 'string' | 'binary' | 'number' | 'boolean' | 'dateTime'
  caseExact: boolean
  value: Prisma.Sql
  /** A column the writer stores lower-cased with JS toLowerCase(); compared with a JS-lowered parameter. */
  lowered?: Prisma.Sql
  /** The uuid column behind `value`, so `id eq` can use the primary key. */
  uuid?: Prisma.Sql
  /** A timestamp(3) column holding UTC (Prisma's convention) rather than a timestamptz. */
  utc?: boolean
  /** RFC 7644 §3.4.2.2 `pr`: a value that is not null, "", [] or {}. */
  present: Prisma.Sql
}

type Target =
  | { kind: 'scalar'; scalar: Scalar }
  /** A single-valued complex attribute named without a sub-attribute (`name`, `manager`). */
  | { kind: 'complex'; json: Prisma.Sql; definition: AttributeDefinition }
  /** A multi-valued attribute (`emails`, `emails.type`), always matched through its JSON array. */
  | { kind: 'multi'; array: Prisma.Sql; definition: AttributeDefinition; sub?: AttributeDefinition; emails: boolean }

type Fail = (detail: string) => ScimError

/** Compiles a parsed filter to a boolean SQL condition over the alias `u`. Unknown attributes are `invalidFilter`. */
export function compileUserFilter(filter: FilterNode, schema: UserSchema): Prisma.Sql {
  switch (filter.op) {
    case 'and':
    case 'or':
      return logic(
        filter.op,
        filter.filters.map((node) => compileUserFilter(node, schema)),
      )
    case 'not':
      return not(compileUserFilter(filter.filter, schema))
    case '[]':
      return compileValuePath(resolveTarget(schema, filter.attrPath, invalidFilter), filter.attrPath, filter.filter)
    case 'pr':
      return targetPresent(resolveTarget(schema, filter.attrPath, invalidFilter))
    default: {
      const target = resolveTarget(schema, filter.attrPath, invalidFilter)
      return compareTarget(target, filter.op, filter.compValue, filter.attrPath)
    }
  }
}

/**
 * The ORDER BY expression for `sortBy` (RFC 7644 §3.4.2.3): case-insensitive for caseExact=false
 * attributes, and for a multi-valued attribute its primary value, else the first. Unknown → invalidValue.
 */
export function compileUserSortKey(sortBy: string, schema: UserSchema): Prisma.Sql {
  const fail = (detail: string) => invalidValue(`Invalid sortBy: ${detail}`)
  const target = resolveTarget(schema, sortBy, fail)
  switch (target.kind) {
    case 'scalar':
      return sortExpression(target.scalar)
    case 'complex':
      return sortExpression(jsonScalar(target.json, valueSubAttribute(target.definition, sortBy, fail)))
    case 'multi': {
      const sub = target.sub ?? valueSubAttribute(target.definition, sortBy, fail)
      // The writer keeps the primary (else work, else first) email in a column.
      if (target.emails && sub.name === 'value') return sql`lower(${Prisma.raw(emailColumns.primary)})`
      const key = sortExpression(jsonScalar(ELEMENT, sub))
      // RFC 7644 §3.4.2.3: a multi-valued attribute sorts by its primary value, else its first.
      return sql`(SELECT ${key} FROM jsonb_array_elements(${target.array}) WITH ORDINALITY AS e(v, n)
        ORDER BY COALESCE(e.v->'primary' = 'true'::jsonb, false) DESC, e.n LIMIT 1)`
    }
  }
}

function logic(op: 'and' | 'or', conditions: Prisma.Sql[]): Prisma.Sql {
  return sql`(${Prisma.join(conditions, op === 'and' ? ' AND ' : ' OR ')})`
}

function anyElement(array: Prisma.Sql, condition: Prisma.Sql): Prisma.Sql {
  return sql`EXISTS (SELECT 1 FROM jsonb_array_elements(${array}) AS e(v) WHERE ${condition})`
}

// NOT over a NULL stays NULL; COALESCE makes a missing value count as "no match" before negating.
function not(condition: Prisma.Sql): Prisma.Sql {
  return sql`NOT COALESCE(${condition}, false)`
}

function clip(text: string): string {
  return text.length > 60 ? `${text.slice(0, 60)}…` : text
}

// JSON keys come from the schema allow-list, never from the filter text; unusual registered names are bound.
function jsonKey(name: string): Prisma.Sql {
  return /^[A-Za-z0-9_$:.-]+$/.test(name) ? Prisma.raw(`'${name}'`) : sql`${name}::text`
}

/** RFC 7643 §3.1 common attributes, which the schema does not list. */
function commonAttribute(path: string, fail: Fail): Target | undefined {
  const core = `${CORE_USER_URN}:`.toLowerCase()
  const lower = path.toLowerCase()
  const name = lower.startsWith(core) ? lower.slice(core.length) : lower
  const id = Prisma.raw('u."id"::text')
  const timestamp = (column: string): Target => ({
    kind: 'scalar',
    scalar: { kind: 'dateTime', caseExact: false, value: Prisma.raw(column), utc: true, present: TRUE },
  })
  switch (name) {
    case 'id':
      // Stored as uuid, whose text form is lower case; clients may send either case.
      return {
        kind: 'scalar',
        scalar: { kind: 'string', caseExact: false, value: id, lowered: id, uuid: Prisma.raw('u."id"'), present: TRUE },
      }
    case 'meta.created':
      return timestamp('u."createdAt"')
    case 'meta.lastmodified':
      return timestamp('u."updatedAt"')
    case 'meta':
    case 'meta.resourcetype':
    case 'meta.location':
    case 'meta.version':
    case 'schemas':
      throw fail(`Attribute '${clip(path)}' is not supported here.`)
    default:
      return undefined
  }
}

function resolveTarget(schema: UserSchema, path: string, fail: Fail): Target {
  const common = commonAttribute(path, fail)
  if (common) return common
  const resolved = resolveAttributePath(schema, path)
  if (!resolved) throw fail(`Unknown attribute '${clip(path)}'.`)
  const { schemaUrn, attribute, subAttribute } = resolved
  if (attribute.returned === 'never' || subAttribute?.returned === 'never') {
    throw fail(`Attribute '${clip(path)}' is never stored and cannot be used here.`)
  }
  let base: Prisma.Sql
  if (schemaUrn === CORE_USER_URN) {
    // Core attributes kept in columns (the map in users.ts), for indexed filters and sorting.
    const column = userFilterColumns[subAttribute ? `${attribute.name}.${subAttribute.name}` : attribute.name]
    if (column) return { kind: 'scalar', scalar: columnScalar(column, subAttribute ?? attribute) }
    base = RESOURCE
  } else if (schemaUrn === ENTERPRISE_USER_URN) {
    base = sql`${RESOURCE}->${jsonKey(ENTERPRISE_USER_URN)}`
  } else if (schemaUrn === schema.extensionUrn) {
    // Custom attributes are stored apart, keyed by their registered (canonical) name.
    base = CUSTOM
  } else {
    throw fail(`Unknown attribute '${clip(path)}'.`)
  }
  if (attribute.multiValued) {
    const json = sql`${base}->${jsonKey(attribute.name)}`
    return {
      kind: 'multi',
      array: sql`CASE WHEN jsonb_typeof(${json}) = 'array' THEN ${json} ELSE '[]'::jsonb END`,
      definition: attribute,
      sub: subAttribute,
      emails: schemaUrn === CORE_USER_URN && attribute.name === 'emails',
    }
  }
  if (attribute.type === 'complex') {
    const json = sql`${base}->${jsonKey(attribute.name)}`
    if (subAttribute) return { kind: 'scalar', scalar: jsonScalar(json, subAttribute) }
    return { kind: 'complex', json, definition: attribute }
  }
  return { kind: 'scalar', scalar: jsonScalar(base, attribute) }
}

function columnScalar(column: { column: string; lowered?: string }, definition: AttributeDefinition): Scalar {
  const value = Prisma.raw(column.column)
  if (definition.type === 'boolean') {
    return { kind: 'boolean', caseExact: false, value, present: sql`${value} IS NOT NULL` }
  }
  return {
    kind: 'string',
    caseExact: definition.caseExact,
    value,
    ...(column.lowered ? { lowered: Prisma.raw(column.lowered) } : {}),
    present: sql`COALESCE(${value} <> '', false)`,
  }
}

// Stored dateTimes are whatever Date.parse accepted; only ISO 8601 forms are cast, so a stray value is
// "no match" rather than a cast error. Values without a zone are read as UTC, like filter values.
const ISO_WITH_ZONE =
  "'^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}(:[0-9]{2}([.][0-9]+)?)?([Zz]|[+-][0-9]{2}(:?[0-9]{2})?)$'"
const ISO_WITHOUT_ZONE = "'^[0-9]{4}-[0-9]{2}-[0-9]{2}([Tt ][0-9]{2}:[0-9]{2}(:[0-9]{2}([.][0-9]+)?)?)?$'"

/** The value of `key` under the JSONB object `parent`, typed by its attribute definition. */
function jsonScalar(parent: Prisma.Sql, definition: AttributeDefinition): Scalar {
  const key = jsonKey(definition.name)
  const json = sql`(${parent}->${key})`
  const text = sql`(${parent}->>${key})`
  const present = sql`COALESCE(${json} NOT IN ('null'::jsonb, '""'::jsonb, '[]'::jsonb, '{}'::jsonb), false)`
  switch (definition.type) {
    case 'integer':
    case 'decimal':
      // Numbers may arrive as JSON strings from lenient writers; anything else is no value.
      return {
        kind: 'number',
        caseExact: true,
        value: sql`(CASE WHEN jsonb_typeof(${json}) = 'number' THEN ${json}::numeric
          WHEN ${text} ~ '^-?[0-9]+([.][0-9]+)?$' THEN ${text}::numeric END)`,
        present,
      }
    case 'boolean':
      return {
        kind: 'boolean',
        caseExact: true,
        value: sql`(CASE lower(${text}) WHEN 'true' THEN true WHEN 'false' THEN false END)`,
        present,
      }
    case 'dateTime':
      return {
        kind: 'dateTime',
        caseExact: true,
        value: sql`(CASE WHEN ${text} ~ ${Prisma.raw(ISO_WITH_ZONE)} THEN ${text}::timestamptz
          WHEN ${text} ~ ${Prisma.raw(ISO_WITHOUT_ZONE)} THEN ${text}::timestamp AT TIME ZONE 'UTC' END)`,
        present,
      }
    case 'binary':
      return { kind: 'binary', caseExact: true, value: text, present }
    default:
      return { kind: 'string', caseExact: definition.caseExact, value: text, present }
  }
}

/** RFC 7644 §3.4.2.2: a complex attribute compared without a sub-attribute means its `value`. */
function valueSubAttribute(definition: AttributeDefinition, path: string, fail: Fail): AttributeDefinition {
  const value = definition.subAttributes && findAttribute(definition.subAttributes, 'value')
  if (!value) {
    const example = `${definition.name}.${definition.subAttributes?.[0]?.name ?? 'value'}`
    throw fail(`Attribute '${clip(path)}' is complex: name one of its sub-attributes, e.g. '${example}'.`)
  }
  return value
}

function targetPresent(target: Target): Prisma.Sql {
  switch (target.kind) {
    case 'scalar':
      return target.scalar.present
    case 'complex':
      return sql`COALESCE(${target.json} NOT IN ('null'::jsonb, '{}'::jsonb), false)`
    case 'multi':
      if (!target.sub) return sql`jsonb_array_length(${target.array}) > 0`
      return anyElement(target.array, jsonScalar(ELEMENT, target.sub).present)
  }
}

function compareTarget(target: Target, op: CompareOperator, compValue: CompValue, path: string): Prisma.Sql {
  // `ne` is `not eq`, so it also matches resources without the attribute (and, for a multi-valued one, those
  // with no equal value); `eq null` means "not present" (RFC 7644 §3.4.2.2 `pr`).
  if (op === 'ne') return not(compareTarget(target, 'eq', compValue, path))
  if (compValue === null) {
    if (op === 'eq') return not(targetPresent(target))
    throw invalidFilter(`Operator '${op}' needs a value, not null (attribute '${clip(path)}').`)
  }
  switch (target.kind) {
    case 'scalar':
      return compareScalar(target.scalar, op, compValue, path)
    case 'complex': {
      const value = jsonScalar(target.json, valueSubAttribute(target.definition, path, invalidFilter))
      return compareScalar(value, op, compValue, path)
    }
    case 'multi': {
      const sub = target.sub ?? valueSubAttribute(target.definition, path, invalidFilter)
      if (target.emails && sub.name === 'value' && op === 'eq') return emailEquals(compValue, path)
      // RFC 7644 §3.4.2.2: a multi-valued attribute matches if any of its values does.
      return anyElement(target.array, compareScalar(jsonScalar(ELEMENT, sub), op, compValue, path))
    }
  }
}

/**
 * `emails.value eq` through the lower-cased array column and its GIN index, looked up first. Written as a plain
 * `@>` condition, the planner has no statistics for nearly unique array elements, guesses 0.5 % of the IdP
 * (5,000 of 1 M users) and walks the list-order index filtering every user (723 ms measured); the ids come
 * from the GIN index in a sub-select run once, then at most a few rows are read by primary key (0.1 ms). Same
 * answer: every write stores emailValues as an array (never NULL), so `not` and `or` combine as with `@>`.
 */
function emailEquals(compValue: CompValue, path: string): Prisma.Sql {
  const value = stringValue(compValue, path).toLowerCase()
  return sql`u."id" = ANY(ARRAY(SELECT e."id" FROM "User" e WHERE e."emailValues" @> ARRAY[${value}::text]))`
}

/** `attr[filter]`: some value of a multi-valued attribute (or the one value of a complex one) matches. */
function compileValuePath(target: Target, path: string, filter: FilterNode): Prisma.Sql {
  if (target.kind === 'scalar' || (target.kind === 'multi' && target.sub)) {
    throw invalidFilter(`A value filter '[…]' needs a complex attribute; '${clip(path)}' is not one.`)
  }
  const definition = target.definition
  if (target.kind === 'complex') {
    const condition = compileElementFilter(filter, target.json, definition, path)
    return sql`(jsonb_typeof(${target.json}) = 'object' AND ${condition})`
  }
  const exists = anyElement(target.array, compileElementFilter(filter, ELEMENT, definition, path))
  if (!target.emails) return exists
  // `emails[type eq "work" and value eq "x"]` (Entra's lookup): narrow through the GIN index first.
  const operands = filter.op === 'and' ? filter.filters : [filter]
  const valueEq = operands.find(
    (node): node is CompareFilter =>
      node.op === 'eq' && node.compValue !== null && subAttributeOf(definition, node.attrPath)?.name === 'value',
  )
  if (!valueEq) return exists
  const indexed = emailEquals(valueEq.compValue, path)
  return operands.length === 1 ? indexed : sql`(${indexed} AND ${exists})`
}

/** A sub-attribute named inside `attr[…]`, plainly (`type`) or qualified by the attribute (`emails.type`). */
function subAttributeOf(definition: AttributeDefinition, name: string): AttributeDefinition | undefined {
  const prefix = `${definition.name}.`.toLowerCase()
  const plain = name.toLowerCase().startsWith(prefix) ? name.slice(prefix.length) : name
  if (plain.includes('.') || plain.includes(':')) return undefined
  return definition.subAttributes ? findAttribute(definition.subAttributes, plain) : undefined
}

/** A value filter's condition on one value, `element` (a JSONB object), whose sub-attributes it names. */
function compileElementFilter(
  filter: FilterNode,
  element: Prisma.Sql,
  definition: AttributeDefinition,
  path: string,
): Prisma.Sql {
  switch (filter.op) {
    case 'and':
    case 'or':
      return logic(
        filter.op,
        filter.filters.map((node) => compileElementFilter(node, element, definition, path)),
      )
    case 'not':
      return not(compileElementFilter(filter.filter, element, definition, path))
    case '[]':
      throw invalidFilter(`Value filters cannot be nested (inside '${clip(path)}').`)
    default: {
      const sub = subAttributeOf(definition, filter.attrPath)
      if (!sub) throw invalidFilter(`Unknown sub-attribute '${clip(filter.attrPath)}' of '${clip(path)}'.`)
      const target: Target = { kind: 'scalar', scalar: jsonScalar(element, sub) }
      const label = `${path}.${sub.name}`
      return filter.op === 'pr' ? targetPresent(target) : compareTarget(target, filter.op, filter.compValue, label)
    }
  }
}

const SQL_COMPARISON: Record<'eq' | 'gt' | 'ge' | 'lt' | 'le', Prisma.Sql> = {
  eq: Prisma.raw('='),
  gt: Prisma.raw('>'),
  ge: Prisma.raw('>='),
  lt: Prisma.raw('<'),
  le: Prisma.raw('<='),
}

function compareScalar(
  scalar: Scalar,
  op: Exclude<CompareOperator, 'ne'>,
  compValue: string | number | boolean,
  path: string,
): Prisma.Sql {
  const label = clip(path)
  const textOnly = op === 'co' || op === 'sw' || op === 'ew'
  switch (scalar.kind) {
    case 'string':
    case 'binary': {
      // RFC 7644 §3.4.2.2: gt/ge/lt/le on a binary attribute is invalidFilter; on strings it is lexical.
      if (scalar.kind === 'binary' && op !== 'eq' && !textOnly) {
        throw invalidFilter(`Operator '${op}' cannot be used with the binary attribute '${label}'.`)
      }
      const raw = stringValue(compValue, path)
      if (op === 'eq' && scalar.uuid && isUuid(raw)) {
        return sql`${scalar.uuid} = ${raw.toLowerCase()}::uuid`
      }
      let left: Prisma.Sql
      let right: Prisma.Sql
      if (scalar.caseExact) {
        left = scalar.value
        right = sql`${raw}::text`
      } else if (scalar.lowered) {
        left = scalar.lowered
        right = sql`${raw.toLowerCase()}::text`
      } else {
        left = sql`lower(${scalar.value})`
        right = sql`lower(${raw}::text)`
      }
      // strpos/starts_with/right rather than LIKE, so `%`, `_` and `\` in a value are plain characters.
      switch (op) {
        case 'co':
          return sql`strpos(${left}, ${right}) > 0`
        case 'sw':
          return sql`starts_with(${left}, ${right})`
        case 'ew':
          return sql`right(${left}, length(${right})) = ${right}`
        default:
          return sql`${left} ${SQL_COMPARISON[op]} ${right}`
      }
    }
    case 'number': {
      if (textOnly) throw invalidFilter(`Operator '${op}' cannot be used with the number attribute '${label}'.`)
      // Like coerceSimpleValue, a numeric string is read as the number.
      const number = typeof compValue === 'string' && compValue.trim() !== '' ? Number(compValue) : compValue
      if (typeof number !== 'number' || !Number.isFinite(number)) {
        throw invalidFilter(`Attribute '${label}' is a number; compare it with a number.`)
      }
      return sql`${scalar.value} ${SQL_COMPARISON[op]} ${number}::numeric`
    }
    case 'boolean': {
      if (op !== 'eq') throw invalidFilter(`Operator '${op}' cannot be used with the boolean attribute '${label}'.`)
      const lower = typeof compValue === 'string' ? compValue.trim().toLowerCase() : compValue
      if (lower !== true && lower !== false && lower !== 'true' && lower !== 'false') {
        throw invalidFilter(`Attribute '${label}' is a boolean; compare it with true or false.`)
      }
      return sql`${scalar.value} = ${lower === true || lower === 'true'}::boolean`
    }
    case 'dateTime': {
      if (textOnly) throw invalidFilter(`Operator '${op}' cannot be used with the dateTime attribute '${label}'.`)
      const iso = typeof compValue === 'string' ? parseDateTime(compValue) : undefined
      if (!iso) {
        throw invalidFilter(`Attribute '${label}' is a dateTime; compare it with a string such as "2026-01-31T12:00:00Z".`)
      }
      const right = scalar.utc ? sql`(${iso}::timestamptz AT TIME ZONE 'UTC')` : sql`${iso}::timestamptz`
      return sql`${scalar.value} ${SQL_COMPARISON[op]} ${right}`
    }
  }
}

/** Strings compare as given; a number or boolean against a string attribute is read as its text. */
function stringValue(compValue: CompValue, path: string): string {
  if (typeof compValue === 'string') return compValue
  if (typeof compValue === 'number' || typeof compValue === 'boolean') return String(compValue)
  throw invalidFilter(`Attribute '${clip(path)}' needs a string value.`)
}

function sortExpression(scalar: Scalar): Prisma.Sql {
  if (scalar.kind !== 'string' || scalar.caseExact) return scalar.value
  return scalar.lowered ?? sql`lower(${scalar.value})`
}
