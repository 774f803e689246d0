"use client";

import { useState, useTransition } from "react";

import { Badge, type Tone } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Table, Td, Th } from "@/components/ui/table";
import type { ActionResult } from "@/lib/actions/result";
import type { ImportRow } from "@/lib/directory/import";

const tones: Record<string, Tone> = {
  added: "good",
  "already-present": "info",
  "not-found": "warn",
  duplicate: "neutral",
  invalid: "bad",
  failed: "bad",
};

export function ImportForm({ importUsers }: { importUsers: (input: { text: string }) => Promise<ActionResult<ImportRow[]>> }) {
  const [text, setText] = useState("");
  const [result, setResult] = useState<ActionResult<ImportRow[]> | null>(null);
  const [pending, startTransition] = useTransition();

  async function onFile(file: File | undefined) {
    if (!file) return;
    if (file.size > 200_000) {
      setResult({ ok: false, message: "That file is larger than 200 kB: split it into lists of at most 1,000 ids." });
      return;
    }
    setText(await file.text());
  }

  return (
    <div className="space-y-4">
      <form
        className="space-y-3"
        onSubmit={(e) => {
          e.preventDefault();
          startTransition(async () => setResult(await importUsers({ text })));
        }}
      >
        <label htmlFor="ids" className="block text-sm font-medium text-slate-700">
          Basiq user ids: one per line, or a CSV whose first column (or a column named <code>id</code> / <code>userId</code>) holds them
        </label>
        <textarea
          id="ids"
          value={text}
          onChange={(e) => setText(e.target.value)}
          rows={8}
          className="block w-full rounded-md border border-slate-300 p-3 font-mono text-xs"
          placeholder={"e.g.\n0a1b2c3d-...\n4e5f6a7b-..."}
        />
        <div className="flex flex-wrap items-center gap-3">
          <label className="text-sm text-slate-700">
            <span className="sr-only">Upload a CSV or text file</span>
            <input type="file" accept=".csv,.txt,text/csv,text/plain" onChange={(e) => void onFile(e.target.files?.[0])} />
          </label>
          <Button type="submit" disabled={pending || !text.trim()}>
            {pending ? "Checking each id with Basiq…" : "Import"}
          </Button>
        </div>
      </form>
      <div aria-live="polite">
        {result && !result.ok ? (
          <p role="alert" className="text-sm text-red-700">
            {result.message}
            {result.fieldErrors?.text ? ` ${result.fieldErrors.text.join(" ")}` : ""}
          </p>
        ) : null}
        {result?.ok ? (
          <>
            <p className="mb-2 text-sm font-medium" data-testid="import-summary">
              {result.message}
            </p>
            <Table label="Import results">
              <thead>
                <tr>
                  <Th>Line</Th>
                  <Th>Value</Th>
                  <Th>Result</Th>
                  <Th>Why</Th>
                </tr>
              </thead>
              <tbody>
                {result.data.map((r) => (
                  <tr key={r.line} data-testid="import-row">
                    <Td>{r.line}</Td>
                    <Td className="font-mono text-xs">{r.value}</Td>
                    <Td>
                      <Badge tone={tones[r.verdict] ?? "neutral"}>{r.verdict.replace(/-/g, " ")}</Badge>
                    </Td>
                    <Td className="text-slate-600">{r.reason ?? ""}</Td>
                  </tr>
                ))}
              </tbody>
            </Table>
          </>
        ) : null}
      </div>
    </div>
  );
}
