// Masking for display (SECURITY.md AZ-4): everyone sees masked e-mails and mobiles by default.
export function maskEmail(email: string): string {
  const at = email.lastIndexOf("@");
  if (at < 1) return "•••";
  const local = email.slice(0, at);
  const domain = email.slice(at + 1);
  return `${local[0]}•••@${domain}`;
}

/**
 * An Australian mobile as `04•• ••• •59`: the mobile prefix and the last two digits, nothing else. With only
 * "04" known, eight digits stay hidden (10^8 candidates), and exact-mobile search is limited and audited
 * (lib/dal/users.ts), so the mask cannot be brute-forced through the search box. Other numbers keep their first
 * two and last two digits with the rest hidden.
 */
export function maskMobile(mobile: string): string {
  const digits = mobile.replace(/\D/g, "");
  if (digits.length < 8) return "•••";
  const australian = digits.startsWith("61") && digits.length === 11 ? `0${digits.slice(2)}` : digits;
  if (/^04\d{8}$/.test(australian)) return `04•• ••• •${australian.slice(-2)}`;
  return `${mobile.startsWith("+") ? "+" : ""}${digits.slice(0, 2)}${"•".repeat(digits.length - 4)}${digits.slice(-2)}`;
}
