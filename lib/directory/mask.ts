// Masking for display (SECURITY.md AZ-4): everyone sees masked e-mails and mobiles by default.
export function maskEmail(email: string): string {
  const at = email.lastIndexOf("@");
  if (at < 1) return "•••";
  const local = email.slice(0, at);
  const domain = email.slice(at + 1);
  return `${local[0]}•••@${domain}`;
}

export function maskMobile(mobile: string): string {
  const digits = mobile.replace(/\D/g, "");
  if (digits.length < 4) return "•••";
  return `${mobile.startsWith("+") ? "+" : ""}${digits.slice(0, 2)}•••••${digits.slice(-3)}`;
}
