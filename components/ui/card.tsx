import { cn } from "@/lib/utils";

// The border colour is a prop (cn() adds a caller's classes, it does not override the card's own: lib/utils.ts).
const tones = {
  default: "border-slate-200",
  warn: "border-amber-300",
};

export function Card({ className, tone = "default", children }: { className?: string; tone?: keyof typeof tones; children: React.ReactNode }) {
  return <section className={cn("rounded-lg border bg-white p-4 shadow-sm", tones[tone], className)}>{children}</section>;
}

export function CardTitle({ children, action }: { children: React.ReactNode; action?: React.ReactNode }) {
  return (
    <div className="mb-3 flex items-center justify-between gap-2">
      <h2 className="text-sm font-semibold text-slate-700">{children}</h2>
      {action}
    </div>
  );
}
