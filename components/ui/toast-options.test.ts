import { describe, expect, it } from "vitest";

import { basiqReference, toastPlan } from "./toast-options";

describe("toastPlan", () => {
  it("keeps an error with a Basiq reference until dismissed, offering to copy the reference", () => {
    const plan = toastPlan("error", "Basiq refused the refresh (403). Basiq reference: 3f2c9a1e-77aa-4b0c.");
    expect(plan).toEqual({ duration: Number.POSITIVE_INFINITY, closeButton: true, copy: "3f2c9a1e-77aa-4b0c" });
  });

  it("lets other toasts go by themselves", () => {
    expect(toastPlan("error", "Not saved.").duration).toBe(10_000);
    expect(toastPlan("success", "Saved. Basiq reference: abcd1234").copy).toBeNull();
    expect(Number.isFinite(toastPlan("info", "Sweep started.").duration)).toBe(true);
  });

  it("reads the reference wherever it sits in the message", () => {
    expect(basiqReference("Basiq reference: abc-123_x")).toBe("abc-123_x");
    expect(basiqReference("Outcome unknown. Basiq reference: r1234. Check the connection.")).toBe("r1234");
    expect(basiqReference("no reference here")).toBeNull();
  });
});
