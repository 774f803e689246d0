import { z } from "zod";

// Ids arriving from URLs and forms. Basiq ids are opaque: we accept the characters Basiq uses and a sane length.
const opaqueId = z.string().trim().regex(/^[A-Za-z0-9_-]{1,64}$/, { message: "is not a valid id" });

export const basiqUserIdSchema = opaqueId;
export const connectionIdSchema = opaqueId;
export const jobIdSchema = opaqueId;
export const consentIdSchema = opaqueId;
