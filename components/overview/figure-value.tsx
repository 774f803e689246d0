import Link from "next/link";

import { formatCount } from "@/lib/format";
import type { Figure } from "@/lib/overview/figures";
import { cn } from "@/lib/utils";

/**
 * An overview figure: a link to the list it counts when the role may open that list, else a plain number (never
 * a link to a page the role cannot open). `data-count` is the figure the list's own total must equal.
 */
export function FigureValue({ figure, canOpen, unit, className }: { figure: Figure; canOpen: boolean; unit: string; className?: string }) {
  const text = `${formatCount(figure.count)}${figure.capped ? "+" : ""}`;
  const label = `${text} ${unit}`;
  if (figure.href && canOpen) {
    return (
      <Link href={figure.href} className={cn("font-medium text-sky-800 hover:underline", className)} data-testid="overview-figure" data-count={figure.count} aria-label={label}>
        {text} <span className="text-xs font-normal text-slate-500">{unit}</span>
      </Link>
    );
  }
  return (
    <span className={cn("font-medium", className)} data-testid="overview-figure-plain" data-count={figure.count}>
      {text} <span className="text-xs font-normal text-slate-500">{unit}</span>
    </span>
  );
}
