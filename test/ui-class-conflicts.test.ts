// cn() joins class names without tailwind-merge (lib/utils.ts, issue 15: 8.8 KB of every page's JavaScript). So two
// utilities for the same property in one element ("px-3" from a component and "px-2" from its caller) would both be
// applied and the stylesheet's order, not the caller, would decide. This test reads the source and fails on such a
// pair: in every cn(...) call and className attribute, and for every component whose own cn(...) takes a `className`
// prop or parameter, with each className its callers pass (JSX attribute or positional argument). Conditionals are
// followed branch by branch (`a ? "flex" : "hidden"` is two alternatives, not a conflict); `tones[tone]` takes each
// value of a const object; identifiers resolve to string constants of the same file, then of any file. tailwind-merge
// (a dev dependency only in effect) is the judge: a combination conflicts when merging would drop a class.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";

import { twMerge } from "tailwind-merge";
import ts from "typescript";
import { describe, expect, it } from "vitest";

type Alternatives = string[][]; // each entry: one possible list of classes
const EMPTY: Alternatives = [[]];
const MAX_ALTERNATIVES = 2_000;

interface Source {
  file: string;
  sf: ts.SourceFile;
  consts: Map<string, ts.Expression>;
}

interface ClassFunction {
  /** Where className enters: a destructured prop (JSX callers) and/or a positional parameter (call callers). */
  prop: boolean;
  position: number | null;
  calls: { call: ts.CallExpression; src: Source }[];
}

function product(lists: Alternatives[]): Alternatives {
  let out: Alternatives = [[]];
  for (const list of lists) {
    const next: Alternatives = [];
    for (const a of out) for (const b of list) next.push([...a, ...b]);
    out = next.length > MAX_ALTERNATIVES ? next.slice(0, MAX_ALTERNATIVES) : next;
  }
  return out;
}

const words = (text: string) => text.split(/\s+/).filter(Boolean);

class Analyzer {
  readonly sources: Source[] = [];
  private readonly globalConsts = new Map<string, { expr: ts.Expression; src: Source }>();
  readonly functions = new Map<string, ClassFunction>();

  constructor(files: { file: string; text: string }[]) {
    for (const { file, text } of files) {
      const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, file.endsWith(".tsx") ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
      const src: Source = { file, sf, consts: new Map() };
      for (const stmt of sf.statements) {
        if (!ts.isVariableStatement(stmt) || !(stmt.declarationList.flags & ts.NodeFlags.Const)) continue;
        for (const d of stmt.declarationList.declarations) {
          if (ts.isIdentifier(d.name) && d.initializer) {
            src.consts.set(d.name.text, d.initializer);
            this.globalConsts.set(d.name.text, { expr: d.initializer, src });
          }
        }
      }
      this.sources.push(src);
    }
    for (const src of this.sources) this.findClassFunctions(src);
  }

  /** Functions whose own cn(...) call takes `className`: the components (and helpers like buttonClasses). */
  private findClassFunctions(src: Source) {
    const visit = (node: ts.Node) => {
      if (ts.isFunctionDeclaration(node) && node.name && node.body) {
        let prop = false;
        let position: number | null = null;
        node.parameters.forEach((p, i) => {
          if (ts.isIdentifier(p.name) && p.name.text === "className") position = i;
          if (ts.isObjectBindingPattern(p.name) && p.name.elements.some((e) => ts.isIdentifier(e.name) && e.name.text === "className")) prop = true;
        });
        if (prop || position !== null) {
          const calls: ClassFunction["calls"] = [];
          const inner = (n: ts.Node) => {
            if (ts.isCallExpression(n) && n.arguments.some((a) => ts.isIdentifier(a) && a.text === "className")) calls.push({ call: n, src });
            ts.forEachChild(n, inner);
          };
          inner(node.body);
          if (calls.length > 0) this.functions.set(node.name.text, { prop, position, calls });
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(src.sf);
  }

  private resolve(name: string, src: Source): { expr: ts.Expression; src: Source } | undefined {
    const local = src.consts.get(name);
    return local ? { expr: local, src } : this.globalConsts.get(name);
  }

  /** The possible class lists an expression yields; `env` binds identifiers (the component's className). */
  alternatives(expr: ts.Expression, src: Source, env: Map<string, Alternatives> = new Map(), depth = 0): Alternatives {
    if (depth > 8) return EMPTY;
    const alt = (e: ts.Expression, s: Source = src) => this.alternatives(e, s, env, depth + 1);
    if (ts.isStringLiteral(expr) || ts.isNoSubstitutionTemplateLiteral(expr)) return [words(expr.text)];
    if (ts.isParenthesizedExpression(expr) || ts.isAsExpression(expr) || ts.isSatisfiesExpression(expr)) return alt(expr.expression);
    if (ts.isTemplateExpression(expr)) {
      const parts: Alternatives[] = [[words(expr.head.text)]];
      for (const span of expr.templateSpans) parts.push(alt(span.expression), [words(span.literal.text)]);
      return product(parts);
    }
    if (ts.isConditionalExpression(expr)) return [...alt(expr.whenTrue), ...alt(expr.whenFalse)];
    if (ts.isBinaryExpression(expr)) {
      const op = expr.operatorToken.kind;
      if (op === ts.SyntaxKind.AmpersandAmpersandToken) return [...alt(expr.right), []];
      if (op === ts.SyntaxKind.BarBarToken || op === ts.SyntaxKind.QuestionQuestionToken) return [...alt(expr.left), ...alt(expr.right)];
      return EMPTY;
    }
    if (ts.isIdentifier(expr)) {
      const bound = env.get(expr.text);
      if (bound) return bound;
      const c = this.resolve(expr.text, src);
      return c && !ts.isObjectLiteralExpression(c.expr) ? alt(c.expr, c.src) : EMPTY;
    }
    if (ts.isElementAccessExpression(expr) && ts.isIdentifier(expr.expression)) {
      // tones[tone]: any one value of the const object
      const c = this.resolve(expr.expression.text, src);
      if (!c || !ts.isObjectLiteralExpression(c.expr)) return EMPTY;
      return c.expr.properties.flatMap((p) => (ts.isPropertyAssignment(p) ? alt(p.initializer, c.src) : []));
    }
    if (ts.isArrayLiteralExpression(expr)) return product(expr.elements.map((e) => alt(e as ts.Expression)));
    if (ts.isObjectLiteralExpression(expr)) {
      // clsx objects: each key is there or not
      return product(
        expr.properties.map((p) => {
          const key = p.name && (ts.isStringLiteral(p.name) || ts.isIdentifier(p.name)) ? p.name.text : "";
          return [words(key), []];
        }),
      );
    }
    if (ts.isCallExpression(expr) && ts.isIdentifier(expr.expression) && ["cn", "clsx"].includes(expr.expression.text)) {
      return product(expr.arguments.map((a) => alt(a)));
    }
    return EMPTY; // anything else (a prop, a function's result) is not known here
  }

  /** The classes tailwind-merge would drop from one list: the conflicts. */
  static conflicts(classes: string[]): string[] {
    const unique = [...new Set(classes)];
    const kept = new Set(words(twMerge(unique.join(" "))));
    return unique.filter((c) => !kept.has(c));
  }

  /** Every conflicting combination, described as "file:line: <classes> drops <classes>". */
  findConflicts(): string[] {
    const found = new Set<string>();
    const report = (src: Source, node: ts.Node, alts: Alternatives, what: string) => {
      for (const classes of alts) {
        const dropped = Analyzer.conflicts(classes);
        if (dropped.length > 0) {
          const line = src.sf.getLineAndCharacterOfPosition(node.getStart()).line + 1;
          found.add(`${src.file}:${line}: ${what}: "${[...new Set(classes)].join(" ")}" — merging would drop ${dropped.join(", ")}`);
        }
      }
    };
    const viaFunction = (src: Source, node: ts.Node, name: string, callerAlts: Alternatives) => {
      const fn = this.functions.get(name);
      if (!fn) return;
      for (const { call, src: fnSrc } of fn.calls) {
        const env = new Map([["className", callerAlts]]);
        const own = ts.isIdentifier(call.expression) && ["cn", "clsx"].includes(call.expression.text) ? call : null;
        if (own) report(src, node, this.alternatives(own, fnSrc, env), `${name}'s own classes with the caller's className`);
        else {
          // a component forwarding className to a class function (Button → buttonClasses)
          const callee = ts.isIdentifier(call.expression) ? call.expression.text : "";
          const inner = this.functions.get(callee);
          if (inner && inner.position !== null) {
            const arg = call.arguments[inner.position];
            if (arg && ts.isIdentifier(arg) && arg.text === "className") viaFunction(src, node, callee, callerAlts);
          }
        }
      }
    };
    for (const src of this.sources) {
      const visit = (node: ts.Node) => {
        if (ts.isCallExpression(node) && ts.isIdentifier(node.expression)) {
          const name = node.expression.text;
          if (name === "cn" || name === "clsx") report(src, node, this.alternatives(node, src), "cn(...)");
          const fn = this.functions.get(name);
          const arg = fn && fn.position !== null ? node.arguments[fn.position] : undefined;
          if (arg) viaFunction(src, node, name, this.alternatives(arg, src));
        }
        if (ts.isJsxAttribute(node) && ts.isIdentifier(node.name) && node.name.text === "className" && node.initializer) {
          const init = node.initializer;
          const alts = ts.isStringLiteral(init) ? [words(init.text)] : ts.isJsxExpression(init) && init.expression ? this.alternatives(init.expression, src) : EMPTY;
          if (!(ts.isJsxExpression(init) && init.expression && ts.isCallExpression(init.expression))) report(src, node, alts, "className");
          const element = node.parent.parent; // JsxAttributes → JsxOpeningElement | JsxSelfClosingElement
          if ((ts.isJsxOpeningElement(element) || ts.isJsxSelfClosingElement(element)) && ts.isIdentifier(element.tagName)) {
            const fn = this.functions.get(element.tagName.text);
            if (fn?.prop) viaFunction(src, node, element.tagName.text, alts);
          }
        }
        ts.forEachChild(node, visit);
      };
      visit(src.sf);
    }
    return [...found].sort();
  }
}

function sourceFiles(root: string, dirs: string[]): { file: string; text: string }[] {
  const out: { file: string; text: string }[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(path.join(root, dir), { withFileTypes: true })) {
      const rel = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(rel);
      else if (/\.tsx?$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name)) out.push({ file: rel, text: readFileSync(path.join(root, rel), "utf8") });
    }
  };
  dirs.forEach(walk);
  return out;
}

const root = path.resolve(__dirname, "..");

describe("class names: no caller's utility conflicts with a component's own (cn does not merge)", () => {
  it("finds the components that take a className into their own cn(...)", () => {
    const analyzer = new Analyzer(sourceFiles(root, ["app", "components"]));
    // If these were not found the test below would check nothing for them.
    for (const name of ["Button", "buttonClasses", "Card", "Badge", "Alert", "Table", "Th", "Td", "Skeleton", "FilterBar", "FilterSelect", "CopyButton"]) {
      expect(analyzer.functions.has(name), name).toBe(true);
    }
  });

  it("no cn(...) call, className attribute or className passed to a component holds two utilities for the same property", () => {
    expect(new Analyzer(sourceFiles(root, ["app", "components"])).findConflicts()).toEqual([]);
  });

  it("reports a caller overriding a component's padding or border colour, through a forwarding helper and a tone table", () => {
    const files = [
      {
        file: "components/ui/button.tsx",
        text: `const variants = { a: "bg-white", b: "bg-slate-900 text-white" };
          export function buttonClasses(variant, className) { return cn("px-3 py-2", variants[variant], className); }
          export function Button({ variant, className, ...props }) { return <button className={buttonClasses(variant, className)} {...props} />; }`,
      },
      { file: "components/ui/card.tsx", text: `export function Card({ className, children }) { return <section className={cn("border border-slate-200", className)}>{children}</section>; }` },
      {
        file: "app/page.tsx",
        text: `const width = "w-56";
          export function Page({ open }) {
            return <div className={cn("mt-2", open ? "flex" : "hidden")}>
              <Button className="px-2">a</Button>
              <Button className="mt-2">fine</Button>
              <Card className={open && "border-amber-300"}>b</Card>
              <a className={buttonClasses("a", "bg-red-50")}>c</a>
              <input className={cn("w-48", width)} />
            </div>;
          }`,
      },
    ];
    const found = new Analyzer(files).findConflicts();
    expect([...new Set(found.map((f) => f.split(": ")[0]))]).toEqual(["app/page.tsx:4", "app/page.tsx:6", "app/page.tsx:7", "app/page.tsx:8"]);
    expect(found.join("\n")).toMatch(/app\/page\.tsx:4: buttonClasses.*drop px-3/);
    expect(found.join("\n")).toMatch(/app\/page\.tsx:6: Card.*drop border-slate-200/);
    expect(found.join("\n")).toMatch(/app\/page\.tsx:7: buttonClasses.*drop bg-white/);
    expect(found.join("\n")).toMatch(/app\/page\.tsx:8: cn\(\.\.\.\).*drop w-48/);
  });
});
