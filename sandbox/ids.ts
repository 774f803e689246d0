// Basiq-looking ids (version-4 UUID format) that encode what they point to.
//
// Why: with 100,000 users there are about a million seeded jobs, and `GET /jobs/{jobId}` must find any
// of them. Instead of an id → record map (hundreds of MB), every id carries its own address
// (kind, user index, connection index, item index), scrambled with a seed-keyed Feistel permutation so ids
// look random and change with the seed. The remaining bits are a keyed checksum, so a made-up or
// mistyped id decodes to nothing (→ 404) instead of to some other record.
import { hash32, mix32 } from "./random";

export type EntityKind = "user" | "connection" | "job" | "account" | "consent";

const KIND_CODES: Record<EntityKind, number> = { user: 1, connection: 2, job: 3, account: 4, consent: 5 };
const KINDS_BY_CODE = new Map<number, EntityKind>(
  Object.entries(KIND_CODES).map(([kind, code]) => [code, kind as EntityKind]),
);

/** Bit budget of the 64-bit payload: kind 4 | user 24 | connection 8 | item 28. */
export const MAX_USERS = 2 ** 24;
export const MAX_CONNECTIONS_PER_USER = 2 ** 8;
export const MAX_ITEMS = 2 ** 28;

export interface EntityAddress {
  kind: EntityKind;
  /** Index of the owning user. */
  user: number;
  /** Index of the connection within the user (0 for users). */
  connection: number;
  /** Index of the job/account/consent within the connection (0 for users and connections). */
  item: number;
}

const UUID_PATTERN =
  /^([0-9a-f]{8})-([0-9a-f]{4})-4([0-9a-f]{3})-([89ab][0-9a-f]{3})-([0-9a-f]{4})([0-9a-f]{8})$/;

const hex = (value: number, width: number): string => (value >>> 0).toString(16).padStart(width, "0");

export class IdCodec {
  private readonly roundKeys: readonly number[];
  private readonly checkKey: number;

  constructor(seed: number) {
    this.roundKeys = [1, 2, 3, 4].map((round) => hash32(seed, 0x1d5, round));
    this.checkKey = hash32(seed, 0xc4ec);
  }

  encode(address: EntityAddress): string {
    const { kind, user, connection, item } = address;
    if (
      !inRange(user, MAX_USERS) ||
      !inRange(connection, MAX_CONNECTIONS_PER_USER) ||
      !inRange(item, MAX_ITEMS)
    ) {
      throw new RangeError(`Cannot encode id for ${JSON.stringify(address)}`);
    }
    const high = ((KIND_CODES[kind] << 28) | (user << 4) | (connection >>> 4)) >>> 0;
    const low = (((connection & 0xf) << 28) | item) >>> 0;
    const [a, b] = this.permute(high, low);
    const [check1, check2] = this.checksum(a, b);
    return (
      `${hex(a, 8)}-${hex(b >>> 16, 4)}-4${hex(check1 & 0xfff, 3)}-` +
      `${hex(0x8000 | ((check1 >>> 12) & 0x3fff), 4)}-${hex(b & 0xffff, 4)}${hex(check2, 8)}`
    );
  }

  /** The address an id encodes, or undefined when the id was not issued by this codec (wrong seed, typo, invented). */
  decode(id: string): EntityAddress | undefined {
    const match = UUID_PATTERN.exec(id);
    if (!match) return undefined;
    const [, g1, g2, g3, g4, g5a, g5b] = match;
    if (!g1 || !g2 || !g3 || !g4 || !g5a || !g5b) return undefined;
    const a = parseInt(g1, 16) >>> 0;
    const b = ((parseInt(g2, 16) << 16) | parseInt(g5a, 16)) >>> 0;
    const [check1, check2] = this.checksum(a, b);
    if ((check1 & 0xfff) !== parseInt(g3, 16)) return undefined;
    if ((0x8000 | ((check1 >>> 12) & 0x3fff)) !== parseInt(g4, 16)) return undefined;
    if (check2 !== parseInt(g5b, 16) >>> 0) return undefined;
    const [high, low] = this.unpermute(a, b);
    const kind = KINDS_BY_CODE.get(high >>> 28);
    if (!kind) return undefined;
    return {
      kind,
      user: (high >>> 4) & 0xffffff,
      connection: ((high & 0xf) << 4) | (low >>> 28),
      item: low & 0x0fffffff,
    };
  }

  /** Four Feistel rounds over two 32-bit halves: a keyed bijection on 64 bits. */
  private permute(high: number, low: number): [number, number] {
    let left = high;
    let right = low;
    for (const key of this.roundKeys) {
      [left, right] = [right, (left ^ mix32(right ^ key)) >>> 0];
    }
    return [left, right];
  }

  private unpermute(a: number, b: number): [number, number] {
    let left = a;
    let right = b;
    for (let i = this.roundKeys.length - 1; i >= 0; i--) {
      const key = this.roundKeys[i] ?? 0;
      [left, right] = [(right ^ mix32(left ^ key)) >>> 0, left];
    }
    return [left, right];
  }

  private checksum(a: number, b: number): [number, number] {
    const first = mix32(a ^ mix32(b ^ this.checkKey));
    return [first, mix32(first ^ this.checkKey ^ 0x5bd1e995)];
  }
}

function inRange(value: number, limit: number): boolean {
  return Number.isInteger(value) && value >= 0 && value < limit;
}
