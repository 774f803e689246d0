// Basiq's `filter` query parameter: comma-separated statements `field.op(value[, value...])`, e.g.
// `connector.status.eq('major-outage'),connector.institution.tier.in('1','2')`. Values may be quoted with
// single or double quotes, or bare (the spec's /events example writes `user.id.eq(userId)`).
import { parameterNotValid } from "./errors";

export const FILTER_OPERATORS = ["eq", "ne", "gt", "gte", "lt", "lte", "bt", "in"] as const;
export type FilterOperator = (typeof FILTER_OPERATORS)[number];

export interface FilterStatement {
  field: string;
  operator: FilterOperator;
  values: string[];
}

/** How a filterable field is read from an item, and compared: as text or as a date. */
export interface FilterField<T> {
  read: (item: T) => string;
  kind?: "text" | "date";
}

const INVALID_FILTER = "The provided filter parameter is in invalid format or unsupported";
const STATEMENT = /^([A-Za-z][\w.]*)\.(eq|ne|gt|gte|lt|lte|bt|in)\((.*)\)$/s;

export function parseFilter(raw: string): FilterStatement[] {
  const statements = splitTopLevel(raw.trim(), ",");
  if (statements.length === 0 || statements.some((s) => s.trim() === ""))
    throw parameterNotValid("filter", INVALID_FILTER);
  return statements.map((statement) => {
    const match = STATEMENT.exec(statement.trim());
    if (!match) throw parameterNotValid("filter", `${INVALID_FILTER}: ${statement.trim()}`);
    const [, field = "", operator = "", inner = ""] = match;
    const values = splitTopLevel(inner, ",").map((value) => unquote(value.trim()));
    if (values.length === 0 || values.some((value) => value === "")) {
      throw parameterNotValid("filter", `${INVALID_FILTER}: ${statement.trim()}`);
    }
    if (operator === "bt" && values.length !== 2)
      throw parameterNotValid("filter", `bt takes two values: ${statement.trim()}`);
    if (operator !== "in" && operator !== "bt" && values.length !== 1) {
      throw parameterNotValid("filter", `${operator} takes one value: ${statement.trim()}`);
    }
    return { field, operator: operator as FilterOperator, values };
  });
}

/**
 * Keep the items matching every statement. `fields` lists what this endpoint can filter on; anything else is
 * a 400 `parameter-not-valid`, as Basiq answers.
 */
export function applyFilter<T>(
  items: readonly T[],
  statements: readonly FilterStatement[],
  fields: Readonly<Record<string, FilterField<T>>>,
): readonly T[] {
  if (statements.length === 0) return items;
  const predicates = statements.map((statement) => {
    const field = fields[statement.field];
    if (!field) {
      const allowed = Object.keys(fields).join(", ");
      throw parameterNotValid(
        "filter",
        `${INVALID_FILTER}: cannot filter on ${statement.field} (supported: ${allowed})`,
      );
    }
    return predicate(statement, field);
  });
  return items.filter((item) => predicates.every((matches) => matches(item)));
}

function predicate<T>(statement: FilterStatement, field: FilterField<T>): (item: T) => boolean {
  const isDate = field.kind === "date";
  const toComparable = (text: string): number | string => {
    if (!isDate) return text;
    const ms = Date.parse(text);
    if (Number.isNaN(ms)) throw parameterNotValid("filter", `${INVALID_FILTER}: ${text} is not a date`);
    return ms;
  };
  const values = statement.values.map(toComparable);
  const [first = "", second = ""] = values;
  return (item) => {
    const actual = toComparable(field.read(item));
    switch (statement.operator) {
      case "eq":
        return actual === first;
      case "ne":
        return actual !== first;
      case "in":
        return values.includes(actual);
      case "gt":
        return actual > first;
      case "gte":
        return actual >= first;
      case "lt":
        return actual < first;
      case "lte":
        return actual <= first;
      case "bt":
        return actual >= first && actual <= second;
    }
  };
}

/** Split on `separator` outside quotes and parentheses. */
function splitTopLevel(text: string, separator: string): string[] {
  if (text === "") return [];
  const parts: string[] = [];
  let depth = 0;
  let quote: string | null = null;
  let current = "";
  for (const char of text) {
    if (quote) {
      if (char === quote) quote = null;
    } else if (char === "'" || char === '"') {
      quote = char;
    } else if (char === "(") {
      depth++;
    } else if (char === ")") {
      depth--;
    } else if (char === separator && depth === 0) {
      parts.push(current);
      current = "";
      continue;
    }
    current += char;
  }
  parts.push(current);
  return parts;
}

function unquote(value: string): string {
  const first = value[0];
  if ((first === "'" || first === '"') && value.length >= 2 && value.endsWith(first))
    return value.slice(1, -1);
  return value;
}
