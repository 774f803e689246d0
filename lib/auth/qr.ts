import "server-only";

// The enrolment QR code as an SVG string rendered on the server (qrcode is pure JS; no script reaches the page).
import QRCode from "qrcode";

export async function qrSvg(text: string): Promise<string> {
  return QRCode.toString(text, { type: "svg", errorCorrectionLevel: "M", margin: 1, width: 192 });
}
