// A small JSON Schema validator for the OpenAPI 3.0 keywords Basiq's spec uses: $ref, type, nullable, enum,
// properties, required, additionalProperties, items, oneOf/anyOf/allOf, pattern, min/maxLength,
// minimum/maximum, min/maxItems. `format` and other annotations are ignored. Any other keyword throws, so a
// schema feature this validator does not understand can never pass silently.
// (ajv is in node_modules only as eslint's dependency, version 6, without OpenAPI's `nullable`.)

export interface ValidationIssue {
  path: string;
  message: string;
}

export interface ValidateOptions {
  /** The document `$ref`s ("#/components/schemas/X") resolve against. */
  root?: unknown;
  /**
   * "exactly-one" is JSON Schema's meaning. "at-least-one" is for oneOf lists whose branches overlap (no
   * `required`, no discriminator), where any real value matches several branches.
   */
  oneOf?: "exactly-one" | "at-least-one";
  /** Called for each property the schema does not declare (where it declares `properties`). */
  onUndeclaredProperty?: (path: string) => void;
}

type Schema = Record<string, unknown>;

const ANNOTATIONS = new Set([
  "description",
  "example",
  "examples",
  "title",
  "format",
  "default",
  "readOnly",
  "writeOnly",
  "deprecated",
  "externalDocs",
]);
const KEYWORDS = new Set([
  "$ref",
  "type",
  "nullable",
  "enum",
  "properties",
  "required",
  "additionalProperties",
  "items",
  "oneOf",
  "anyOf",
  "allOf",
  "pattern",
  "minLength",
  "maxLength",
  "minimum",
  "maximum",
  "minItems",
  "maxItems",
]);

export function validate(schema: unknown, value: unknown, options: ValidateOptions = {}): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  check(asSchema(schema, "$"), value, "$", options, issues);
  return issues;
}

function asSchema(schema: unknown, path: string): Schema {
  if (typeof schema !== "object" || schema === null || Array.isArray(schema)) {
    throw new Error(`Schema at ${path} is not an object`);
  }
  return schema as Schema;
}

function resolveRef(ref: string, root: unknown): Schema {
  if (!ref.startsWith("#/")) throw new Error(`Only local $refs are supported, got ${ref}`);
  let node: unknown = root;
  for (const part of ref.slice(2).split("/")) {
    const key = part.replace(/~1/g, "/").replace(/~0/g, "~");
    if (typeof node !== "object" || node === null) throw new Error(`Cannot resolve ${ref}`);
    node = (node as Record<string, unknown>)[key];
  }
  return asSchema(node, ref);
}

function typeOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value;
}

function hasType(value: unknown, type: string): boolean {
  switch (type) {
    case "integer":
      return typeof value === "number" && Number.isInteger(value);
    case "number":
      return typeof value === "number" && Number.isFinite(value);
    case "object":
      return typeof value === "object" && value !== null && !Array.isArray(value);
    case "array":
      return Array.isArray(value);
    case "string":
    case "boolean":
      return typeof value === type;
    case "null":
      return value === null;
    default:
      throw new Error(`Unknown type "${type}" in schema`);
  }
}

function check(
  schema: Schema,
  value: unknown,
  path: string,
  options: ValidateOptions,
  issues: ValidationIssue[],
): void {
  for (const key of Object.keys(schema)) {
    if (!KEYWORDS.has(key) && !ANNOTATIONS.has(key) && !key.startsWith("x-")) {
      throw new Error(`Unsupported schema keyword "${key}" at ${path}`);
    }
  }
  if (typeof schema.$ref === "string") {
    check(resolveRef(schema.$ref, options.root), value, path, options, issues);
    return;
  }
  if (value === null && schema.nullable === true) return;

  const issue = (message: string) => issues.push({ path, message });
  if (typeof schema.type === "string" && !hasType(value, schema.type)) {
    issue(`expected ${schema.type}, got ${typeOf(value)}`);
    return;
  }
  if (Array.isArray(schema.enum) && !schema.enum.some((allowed) => allowed === value)) {
    issue(`${JSON.stringify(value)} is not one of ${JSON.stringify(schema.enum)}`);
  }
  if (typeof value === "string") checkString(schema, value, issue);
  if (typeof value === "number") {
    if (typeof schema.minimum === "number" && value < schema.minimum)
      issue(`below minimum ${schema.minimum}`);
    if (typeof schema.maximum === "number" && value > schema.maximum)
      issue(`above maximum ${schema.maximum}`);
  }
  if (hasType(value, "object")) checkObject(schema, value as Record<string, unknown>, path, options, issues);
  if (Array.isArray(value)) {
    if (typeof schema.minItems === "number" && value.length < schema.minItems)
      issue(`fewer than ${schema.minItems} items`);
    if (typeof schema.maxItems === "number" && value.length > schema.maxItems)
      issue(`more than ${schema.maxItems} items`);
    if (schema.items !== undefined) {
      const items = asSchema(schema.items, `${path}.items`);
      value.forEach((item, i) => check(items, item, `${path}[${i}]`, options, issues));
    }
  }
  checkCombinators(schema, value, path, options, issues);
}

function checkString(schema: Schema, value: string, issue: (message: string) => void): void {
  if (typeof schema.minLength === "number" && value.length < schema.minLength)
    issue(`shorter than ${schema.minLength}`);
  if (typeof schema.maxLength === "number" && value.length > schema.maxLength)
    issue(`longer than ${schema.maxLength}`);
  if (typeof schema.pattern === "string" && !new RegExp(schema.pattern, "u").test(value)) {
    issue(`${JSON.stringify(value)} does not match ${schema.pattern}`);
  }
}

function checkObject(
  schema: Schema,
  value: Record<string, unknown>,
  path: string,
  options: ValidateOptions,
  issues: ValidationIssue[],
): void {
  if (Array.isArray(schema.required)) {
    for (const name of schema.required) {
      if (typeof name === "string" && !(name in value))
        issues.push({ path, message: `missing required property "${name}"` });
    }
  }
  const properties =
    schema.properties === undefined
      ? undefined
      : (asSchema(schema.properties, path) as Record<string, unknown>);
  for (const [name, propertyValue] of Object.entries(value)) {
    const childPath = `${path}.${name}`;
    const propertySchema = properties?.[name];
    if (propertySchema !== undefined) {
      check(asSchema(propertySchema, childPath), propertyValue, childPath, options, issues);
    } else if (schema.additionalProperties === false) {
      issues.push({ path: childPath, message: "property not allowed" });
    } else if (typeof schema.additionalProperties === "object" && schema.additionalProperties !== null) {
      check(asSchema(schema.additionalProperties, childPath), propertyValue, childPath, options, issues);
    } else if (properties) {
      options.onUndeclaredProperty?.(childPath);
    }
  }
}

function checkCombinators(
  schema: Schema,
  value: unknown,
  path: string,
  options: ValidateOptions,
  issues: ValidationIssue[],
): void {
  if (Array.isArray(schema.allOf)) {
    schema.allOf.forEach((branch, i) =>
      check(asSchema(branch, `${path}.allOf[${i}]`), value, path, options, issues),
    );
  }
  for (const keyword of ["anyOf", "oneOf"] as const) {
    const branches = schema[keyword];
    if (!Array.isArray(branches)) continue;
    // Validate each branch on its own; report undeclared properties of the first matching branch only.
    const outcomes = branches.map((branch, i) => {
      const undeclared: string[] = [];
      const branchIssues: ValidationIssue[] = [];
      check(
        asSchema(branch, `${path}.${keyword}[${i}]`),
        value,
        path,
        { ...options, onUndeclaredProperty: (p) => undeclared.push(p) },
        branchIssues,
      );
      return { ok: branchIssues.length === 0, undeclared, branchIssues };
    });
    const matching = outcomes.filter((outcome) => outcome.ok);
    const strict = keyword === "oneOf" && (options.oneOf ?? "exactly-one") === "exactly-one";
    if (matching.length === 0) {
      const detail = outcomes.map(
        (outcome, i) => `[${i}] ${outcome.branchIssues.map((x) => `${x.path}: ${x.message}`).join("; ")}`,
      );
      issues.push({ path, message: `matches no ${keyword} branch: ${detail.join(" | ")}` });
    } else if (strict && matching.length > 1) {
      issues.push({ path, message: `matches ${matching.length} oneOf branches, expected exactly one` });
    } else {
      matching[0]?.undeclared.forEach((p) => options.onUndeclaredProperty?.(p));
    }
  }
}
