// The contract tests are only as good as this validator: prove it rejects what it must.
import { describe, expect, it } from "vitest";

import { validate } from "./json-schema";

const user = {
  type: "object",
  required: ["id", "status"],
  properties: {
    id: { type: "string", pattern: "^[a-z]+$", minLength: 2, maxLength: 5 },
    status: { type: "string", enum: ["active", "invalid"] },
    count: { type: "integer", minimum: 0 },
    note: { type: "string", nullable: true },
    tags: { type: "array", items: { type: "string" }, maxItems: 2 },
    links: { $ref: "#/components/schemas/Links" },
  },
};
const root = {
  components: {
    schemas: { Links: { type: "object", required: ["self"], properties: { self: { type: "string" } } } },
  },
};
const messages = (value: unknown, schema: unknown = user) =>
  validate(schema, value, { root }).map((i) => `${i.path}: ${i.message}`);

describe("validate", () => {
  it("accepts a conforming value", () => {
    expect(
      messages({ id: "abc", status: "active", count: 2, note: null, tags: ["x"], links: { self: "/u" } }),
    ).toEqual([]);
  });

  it("reports wrong types, enums, missing required properties, patterns, lengths and bounds", () => {
    expect(messages({ id: 7, status: "active" })).toEqual(["$.id: expected string, got number"]);
    expect(messages({ id: "abc", status: "gone" })[0]).toMatch(/^\$\.status: "gone" is not one of/);
    expect(messages({ id: "abc" })).toEqual(['$: missing required property "status"']);
    expect(messages({ id: "ABC", status: "active" })[0]).toMatch(/does not match/);
    expect(messages({ id: "a", status: "active" })).toEqual(["$.id: shorter than 2"]);
    expect(messages({ id: "abcdef", status: "active" })).toEqual(["$.id: longer than 5"]);
    expect(messages({ id: "abc", status: "active", count: 1.5 })).toEqual([
      "$.count: expected integer, got number",
    ]);
    expect(messages({ id: "abc", status: "active", count: -1 })).toEqual(["$.count: below minimum 0"]);
    expect(messages({ id: "abc", status: "active", tags: ["a", 1] })).toEqual([
      "$.tags[1]: expected string, got number",
    ]);
    expect(messages({ id: "abc", status: "active", tags: ["a", "b", "c"] })).toEqual([
      "$.tags: more than 2 items",
    ]);
    expect(messages([])).toEqual(["$: expected object, got array"]);
  });

  it("treats null as invalid unless nullable, and resolves $ref", () => {
    expect(messages({ id: "abc", status: null })).toEqual(["$.status: expected string, got null"]);
    expect(messages({ id: "abc", status: "active", links: {} })).toEqual([
      '$.links: missing required property "self"',
    ]);
  });

  it("oneOf means exactly one unless told otherwise; anyOf and allOf work", () => {
    const overlapping = {
      oneOf: [{ type: "object" }, { type: "object", properties: { a: { type: "string" } } }],
    };
    expect(validate(overlapping, { a: "x" })).toHaveLength(1);
    expect(validate(overlapping, { a: "x" }, { oneOf: "at-least-one" })).toEqual([]);
    expect(validate(overlapping, "text", { oneOf: "at-least-one" })).toHaveLength(1);
    expect(validate({ anyOf: [{ type: "string" }, { type: "integer" }] }, 3)).toEqual([]);
    expect(validate({ allOf: [{ type: "integer" }, { minimum: 5 }] }, 3)).toHaveLength(1);
  });

  it("reports undeclared properties and honours additionalProperties: false", () => {
    const undeclared: string[] = [];
    validate(
      user,
      { id: "abc", status: "active", extra: 1 },
      { root, onUndeclaredProperty: (p) => undeclared.push(p) },
    );
    expect(undeclared).toEqual(["$.extra"]);
    expect(validate({ type: "object", properties: {}, additionalProperties: false }, { x: 1 })).toHaveLength(
      1,
    );
  });

  it("refuses schema keywords it does not implement instead of passing silently", () => {
    expect(() => validate({ type: "object", patternProperties: {} }, {})).toThrow(
      /Unsupported schema keyword "patternProperties"/,
    );
    expect(() => validate({ $ref: "https://example.com/x" }, {})).toThrow(/local/);
  });
});
