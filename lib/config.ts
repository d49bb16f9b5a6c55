import { KEY_BYTES, keyProblem, parseKey } from "./security/encryption.ts";
import { type OAuthProviderConfig, readOAuthConfig } from "./oauth/config.ts";

/**
 * Every setting of the app, read from the environment once at start-up,
 * validated together (one message lists every problem) and passed down.
 * Nothing else reads `Deno.env`. Secrets are never printed: problems name
 * the variable, not its value.
 *
 * @module
 */

/** The validated settings. */
export interface Config {
  /**
   * Public URL of the app; decides secure cookies and HSTS. When APP_URL is
   * unset it is `http://localhost:<PORT>`, and {@linkcode Config.origins}
   * lists every local address instead.
   */
  appUrl: URL;
  /**
   * Origins whose forms and API calls are accepted (the CSRF origin check):
   * APP_URL's origin when it is set, else every origin this server can be
   * reached at on this machine (see {@linkcode localOrigins}).
   */
  origins: string[];
  /** Whether {@linkcode Config.origins} is APP_URL's (set) or the local list. */
  originsFromAppUrl: boolean;
  /** Address and port the server listens on. */
  hostname: string;
  port: number;
  /** SQLite file (the engine when {@linkcode Config.database} has no URL). */
  databasePath: string;
  /**
   * PostgreSQL, when `DATABASE_URL` is set: the URL (a secret: it may hold
   * a password), the pool size per process and the statement timeout.
   */
  database: {
    url: string | undefined;
    poolSize: number;
    statementTimeoutMs: number;
  };
  /** Redis server; unset means in-process cache and rate limits (one instance only). */
  redisUrl: string | undefined;
  /** Session lifetimes and binding. */
  session: {
    durationDays: number;
    inactivityTimeoutDays: number;
    bindUserAgent: boolean;
  };
  /** Proxies whose X-Forwarded-For is believed (IPs and CIDRs, comma-separated). */
  trustedProxies: string;
  /** False only for load tests: every rate limit is off. */
  rateLimits: boolean;
  /** Password hashes run at once, and how many may wait before sign-ins get 503. */
  passwordHashing: { concurrency: number; maxQueued: number };
  /** Whether cookies get `Secure` and the `__Host-` prefix (APP_URL is https). */
  secureCookies: boolean;
  /**
   * Outgoing mail: through SMTP when `smtpUrl` is set (a secret: it may
   * hold a password), else written as `.eml` files under `outboxDir` (the
   * development outbox). `from` is the validated `MAIL_FROM`.
   */
  mail: { smtpUrl: string | undefined; from: string; outboxDir: string };
  /**
   * The keys that seal secrets at rest (TOTP secrets), secrets themselves:
   * `key` from `ENCRYPTION_KEY` (32 bytes, base64), unset when it is not
   * given (see `lib/security/secret_key.ts` for what happens then);
   * `previous` from `ENCRYPTION_KEY_PREVIOUS` (comma-separated), the old
   * keys still read while what they sealed is sealed again.
   */
  encryption: { key: Uint8Array | undefined; previous: Uint8Array[] };
  /** Stripe billing; null when STRIPE_SECRET_KEY is unset (billing says it is not configured). */
  billing: BillingConfig | null;
  /**
   * Sign-in providers (GitHub, Google, OpenID Connect), in the order the
   * sign-in page lists them; empty when none is configured (see
   * `lib/oauth/config.ts`).
   */
  oauth: OAuthProviderConfig[];
}

/**
 * Stripe billing settings (see {@linkcode readBillingConfig}). The key and
 * the webhook secret are secrets: never printed.
 */
export interface BillingConfig {
  /** `STRIPE_SECRET_KEY`: `sk_…` or a restricted `rk_…` key. */
  secretKey: string;
  /** `STRIPE_WEBHOOK_SECRET`: `whsec_…`, the webhook endpoint's signing secret. */
  webhookSecret: string;
  /**
   * Stripe price ids per paid plan, from `STRIPE_PRICE_PRO` and
   * `STRIPE_PRICE_TEAM` (comma-separated: the first is what checkout
   * sells, the others, e.g. a yearly price or a retired one, are still
   * recognised on subscriptions). A plan without prices cannot be bought.
   */
  prices: { pro: string[]; team: string[] };
  /**
   * `STRIPE_API_URL`: where the Stripe API is, for a local mock or the
   * tests' stand-in (`http://127.0.0.1:12111`); undefined for Stripe itself.
   */
  apiUrl: URL | undefined;
}

/** Thrown by {@linkcode loadConfig} with every problem found. */
export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(
      `Invalid configuration (${problems.length} problem${
        problems.length === 1 ? "" : "s"
      }):\n` +
        problems.map((p) => `  - ${p}`).join("\n") +
        "\nSee .env.example for every setting.",
    );
    this.name = "ConfigError";
    this.problems = problems;
  }
}

type Env = Record<string, string | undefined>;

/** Collects problems while reading settings. */
export class Reader {
  readonly problems: string[] = [];
  constructor(private readonly env: Env) {}

  /** A string setting, `fallback` when unset or empty. */
  string(name: string, fallback: string): string {
    const v = this.env[name];
    return v === undefined || v.trim() === "" ? fallback : v.trim();
  }

  /** An optional string setting (secrets too: never echoed). */
  optional(name: string): string | undefined {
    const v = this.env[name];
    return v === undefined || v.trim() === "" ? undefined : v.trim();
  }

  /** An integer within bounds. */
  int(name: string, fallback: number, min: number, max: number): number {
    const raw = this.optional(name);
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!/^-?\d+$/.test(raw) || n < min || n > max) {
      this.problems.push(
        `${name} must be a whole number from ${min} to ${max} (got "${raw}")`,
      );
      return fallback;
    }
    return n;
  }

  /** A boolean: true/false/1/0/yes/no. */
  bool(name: string, fallback: boolean): boolean {
    const raw = this.optional(name)?.toLowerCase();
    if (raw === undefined) return fallback;
    if (["true", "1", "yes", "on"].includes(raw)) return true;
    if (["false", "0", "no", "off"].includes(raw)) return false;
    this.problems.push(`${name} must be true or false (got "${raw}")`);
    return fallback;
  }

  /** One of a fixed set of values. */
  oneOf<T extends string>(name: string, values: readonly T[], fallback: T): T {
    const raw = this.optional(name);
    if (raw === undefined) return fallback;
    if ((values as readonly string[]).includes(raw)) return raw as T;
    this.problems.push(
      `${name} must be one of ${values.join(", ")} (got "${raw}")`,
    );
    return fallback;
  }

  /** An http(s) URL. `secret` keeps the value out of the message. */
  url(
    name: string,
    fallback: string | undefined,
    options: { secret?: boolean; protocols?: string[] } = {},
  ): URL | undefined {
    const raw = this.optional(name) ?? fallback;
    if (raw === undefined) return undefined;
    const protocols = options.protocols ?? ["http:", "https:"];
    try {
      const url = new URL(raw);
      if (protocols.includes(url.protocol)) return url;
    } catch {
      // reported below
    }
    const shown = options.secret ? "" : ` (got "${raw}")`;
    this.problems.push(
      `${name} must be a URL starting with ${
        protocols.map((p) => p + "//").join(" or ")
      }${shown}`,
    );
    return undefined;
  }
}

/** The sender when MAIL_FROM is unset: fine for the outbox, not for real mail. */
export const DEFAULT_MAIL_FROM = "Islet <no-reply@localhost>";

// An address with a dot-free or dotted domain, optionally after a display
// name; no line breaks, quotes or angle brackets anywhere else, so the value
// cannot add a header (it is written into From: as is).
const MAILBOX_RE =
  /^(?:[^"<>\r\n@,;:]*<[^\s"<>@]+@[^\s"<>@]+>|[^\s"<>@]+@[^\s"<>@]+)$/;

/**
 * Whether `value` is a mailbox as MAIL_FROM takes it: `a@b.example` or
 * `Name <a@b.example>`.
 *
 * @example
 * ```ts
 * isMailbox("Islet <no-reply@islet.example>"); // true
 * isMailbox("no-reply@islet.example"); // true
 * isMailbox("Islet"); // false
 * ```
 */
export function isMailbox(value: string): boolean {
  return MAILBOX_RE.test(value);
}

const HOSTNAME_RE =
  /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*|\d{1,3}(?:\.\d{1,3}){3}|\[?[0-9A-Fa-f:.]+\]?)$/;

/**
 * The origins a server listening on `hostname:port` can be reached at from
 * this machine, for a first run without APP_URL: `hostname` as the server
 * prints it (a wildcard such as `0.0.0.0` included: browsers load it), and
 * the loopback names `localhost`, `127.0.0.1` and `[::1]`. Only plain
 * http: a local run has no TLS. A page on any other origin (another local
 * port included) is still refused, so the origin check keeps protecting a
 * developer's browser. A name that resolves to a LAN address is accepted
 * by that name, not by the address: set APP_URL to serve others.
 *
 * @example
 * ```ts
 * localOrigins("127.0.0.1", 8000);
 * // ["http://127.0.0.1:8000", "http://localhost:8000", "http://[::1]:8000"]
 * ```
 */
export function localOrigins(hostname: string, port: number): string[] {
  const bare = hostname.replace(/^\[(.*)\]$/, "$1").toLowerCase();
  // What the server prints: IPv6 addresses in brackets, as in a URL.
  const printed = bare.includes(":") ? `[${bare}]` : bare;
  const hosts = [printed, "localhost", "127.0.0.1", "[::1]"];
  const out: string[] = [];
  for (const host of hosts) {
    let origin: string;
    try {
      // The URL parser gives the canonical spelling browsers send
      // (`[::1]`, `127.0.0.1`, lower case) and drops the default port.
      origin = new URL(`http://${host}:${port}`).origin;
    } catch {
      continue;
    }
    if (!out.includes(origin)) out.push(origin);
  }
  return out;
}

/**
 * The origin check's policy, for `csrf({ origin })`: with APP_URL set,
 * only its origin; without it, {@linkcode Config.origins}, and the same
 * local names on the port the request came in on. The latter covers the
 * dev server, which takes the next free port when PORT is unset and 8000
 * is busy; it stays safe because the origin must equal the request's own
 * origin (a page on another port is still refused) and name this machine
 * (a DNS-rebinding name is refused).
 *
 * @example
 * ```ts
 * const allowed = originPolicy(loadConfig({}));
 * allowed("http://localhost:8000", { url: new URL("http://localhost:8000/signup") }); // true
 * allowed("http://localhost:8001", { url: new URL("http://localhost:8001/signup") }); // true
 * allowed("http://localhost:9999", { url: new URL("http://localhost:8001/signup") }); // false
 * ```
 */
export function originPolicy(
  config: Pick<Config, "origins" | "originsFromAppUrl" | "hostname">,
): (origin: string, ctx: { url: URL }) => boolean {
  const fixed = new Set(config.origins);
  if (config.originsFromAppUrl) return (origin) => fixed.has(origin);
  return (origin, ctx) => {
    if (fixed.has(origin)) return true;
    if (origin !== ctx.url.origin || ctx.url.protocol !== "http:") return false;
    const port = ctx.url.port === "" ? 80 : Number(ctx.url.port);
    return localOrigins(config.hostname, port).includes(origin);
  };
}

/**
 * Reads and validates every setting; throws {@linkcode ConfigError} listing
 * all problems at once.
 *
 * @example
 * ```ts
 * const config = loadConfig({ PORT: "8080" });
 * config.port; // 8080
 * ```
 */
export function loadConfig(env: Env = Deno.env.toObject()): Config {
  const r = new Reader(env);
  const hostname = r.string("HOSTNAME", "127.0.0.1");
  if (!HOSTNAME_RE.test(hostname)) {
    r.problems.push(
      `HOSTNAME must be a host name or IP address (got "${hostname}")`,
    );
  }
  const port = r.int("PORT", 8000, 1, 65535);
  const appUrlSet = r.optional("APP_URL") !== undefined;
  const appUrl = r.url("APP_URL", `http://localhost:${port}`);
  if (
    appUrl !== undefined &&
    (appUrl.pathname !== "/" || appUrl.search !== "" || appUrl.hash !== "")
  ) {
    r.problems.push(
      `APP_URL must be an origin without a path (got "${appUrl.href}")`,
    );
  }
  const databasePath = r.string("DATABASE_PATH", "data/islet.db");
  const databaseUrl = r.url("DATABASE_URL", undefined, {
    secret: true,
    protocols: ["postgres:", "postgresql:"],
  })?.href;
  const poolSize = r.int("DATABASE_POOL_SIZE", 10, 1, 1000);
  const statementTimeoutMs = r.int(
    "DATABASE_STATEMENT_TIMEOUT_MS",
    5000,
    100,
    600_000,
  );
  const redisUrl = r.url("REDIS_URL", undefined, {
    secret: true,
    protocols: ["redis:", "rediss:"],
  })?.href;
  const durationDays = r.int("SESSION_DURATION_DAYS", 30, 1, 365);
  // Renewal is written at most once an hour, so an idle timeout under a day
  // would be too coarse to mean anything.
  const inactivityTimeoutDays = r.int("INACTIVITY_TIMEOUT_DAYS", 10, 1, 365);
  if (inactivityTimeoutDays > durationDays) {
    r.problems.push(
      "INACTIVITY_TIMEOUT_DAYS must not exceed SESSION_DURATION_DAYS",
    );
  }
  const bindUserAgent = r.bool("SESSION_BIND_USER_AGENT", false);
  const trustedProxies = r.string("TRUSTED_PROXIES", "");
  const rateLimits =
    r.oneOf("RATE_LIMITS", ["on", "off"] as const, "on") === "on";
  // Every core but one by default, so pages keep a core during a sign-in storm.
  const cores = navigator.hardwareConcurrency;
  const hashConcurrency = r.int(
    "PASSWORD_HASH_THREADS",
    Math.max(1, cores - 1),
    1,
    256,
  );
  const hashQueue = r.int("PASSWORD_HASH_QUEUE", 32, 0, 10_000);
  const smtpUrl = r.url("SMTP_URL", undefined, {
    secret: true,
    protocols: ["smtp:", "smtps:"],
  })?.href;
  const mailFrom = r.string("MAIL_FROM", DEFAULT_MAIL_FROM);
  if (!isMailbox(mailFrom)) {
    r.problems.push(
      `MAIL_FROM must be an address or "Name <address>" (got "${mailFrom}")`,
    );
  }
  const outboxDir = r.string("MAIL_OUTBOX_DIR", "data/outbox");
  const encryption = readEncryptionKeys(r);
  const billing = readBillingConfig(r);
  const oauth = readOAuthConfig(r);
  if (r.problems.length > 0) throw new ConfigError(r.problems);
  return {
    appUrl: appUrl!,
    origins: appUrlSet ? [appUrl!.origin] : localOrigins(hostname, port),
    originsFromAppUrl: appUrlSet,
    hostname,
    port,
    databasePath,
    database: { url: databaseUrl, poolSize, statementTimeoutMs },
    redisUrl,
    session: { durationDays, inactivityTimeoutDays, bindUserAgent },
    trustedProxies,
    rateLimits,
    passwordHashing: { concurrency: hashConcurrency, maxQueued: hashQueue },
    secureCookies: appUrl!.protocol === "https:",
    mail: { smtpUrl, from: mailFrom, outboxDir },
    encryption,
    billing,
    oauth,
  };
}

/**
 * ENCRYPTION_KEY and ENCRYPTION_KEY_PREVIOUS. A bad key is named with what
 * is wrong (not base64, or how many bytes it decodes to), never its value.
 */
function readEncryptionKeys(r: Reader): Config["encryption"] {
  const how =
    `${KEY_BYTES} random bytes in base64 (\`openssl rand -base64 ${KEY_BYTES}\`)`;
  const keyText = r.optional("ENCRYPTION_KEY");
  let key: Uint8Array | undefined;
  if (keyText !== undefined) {
    key = parseKey(keyText) ?? undefined;
    if (key === undefined) {
      r.problems.push(
        `ENCRYPTION_KEY must be ${how}; it ${keyProblem(keyText)}`,
      );
    }
  }
  const previous: Uint8Array[] = [];
  const previousText = r.optional("ENCRYPTION_KEY_PREVIOUS");
  if (previousText !== undefined) {
    const texts = previousText.split(",").map((t) => t.trim());
    texts.forEach((text, i) => {
      const parsed = parseKey(text);
      if (parsed !== null) previous.push(parsed);
      else {
        const which = texts.length > 1
          ? ` (key ${i + 1} of ${texts.length})`
          : "";
        r.problems.push(
          `ENCRYPTION_KEY_PREVIOUS${which} must be ${how}, comma-separated; it ${
            keyProblem(text)
          }`,
        );
      }
    });
    if (keyText === undefined) {
      r.problems.push(
        "ENCRYPTION_KEY_PREVIOUS is set but ENCRYPTION_KEY is not: put the new key in ENCRYPTION_KEY",
      );
    }
  }
  return { key, previous };
}

const PRICE_ID_RE = /^[A-Za-z0-9_]{1,255}$/;

/**
 * The Stripe settings: all or nothing. Without `STRIPE_SECRET_KEY`
 * billing is off (null) and no other `STRIPE_` setting may be set (a
 * half-configured billing would look on and charge nobody); with it, the
 * webhook secret and at least one plan's price are required.
 *
 * @example
 * ```ts
 * const r = new Reader({ STRIPE_SECRET_KEY: "sk_test_1", STRIPE_WEBHOOK_SECRET: "whsec_1", STRIPE_PRICE_PRO: "price_1" });
 * readBillingConfig(r)?.prices.pro; // ["price_1"]
 * ```
 */
export function readBillingConfig(r: Reader): BillingConfig | null {
  const secretKey = r.optional("STRIPE_SECRET_KEY");
  const webhookSecret = r.optional("STRIPE_WEBHOOK_SECRET");
  const priceList = (name: string): string[] => {
    const raw = r.optional(name);
    if (raw === undefined) return [];
    const ids = raw.split(",").map((s) => s.trim()).filter((s) => s !== "");
    if (ids.length === 0 || !ids.every((id) => PRICE_ID_RE.test(id))) {
      r.problems.push(
        `${name} must be Stripe price ids separated by commas (got "${raw}")`,
      );
      return [];
    }
    return ids;
  };
  const prices = {
    pro: priceList("STRIPE_PRICE_PRO"),
    team: priceList("STRIPE_PRICE_TEAM"),
  };
  const apiUrl = r.url("STRIPE_API_URL", undefined);
  if (secretKey === undefined) {
    const stray = [
      "STRIPE_WEBHOOK_SECRET",
      "STRIPE_PRICE_PRO",
      "STRIPE_PRICE_TEAM",
      "STRIPE_API_URL",
    ].filter((name) => r.optional(name) !== undefined);
    if (stray.length > 0) {
      r.problems.push(
        `${
          stray.join(", ")
        } set without STRIPE_SECRET_KEY: set the key too, or unset ${
          stray.length === 1 ? "it" : "them"
        } (billing stays off)`,
      );
    }
    return null;
  }
  if (!/^(?:sk|rk)_[A-Za-z0-9_]+$/.test(secretKey)) {
    r.problems.push(
      "STRIPE_SECRET_KEY must be a Stripe secret key (sk_… or rk_…)",
    );
  }
  if (webhookSecret === undefined) {
    r.problems.push(
      "STRIPE_WEBHOOK_SECRET is required with STRIPE_SECRET_KEY (the webhook endpoint's signing secret, whsec_…)",
    );
  } else if (!/^whsec_[A-Za-z0-9_]+$/.test(webhookSecret)) {
    r.problems.push("STRIPE_WEBHOOK_SECRET must start with whsec_");
  }
  if (prices.pro.length === 0 && prices.team.length === 0) {
    r.problems.push(
      "STRIPE_PRICE_PRO or STRIPE_PRICE_TEAM is required with STRIPE_SECRET_KEY (the price ids of the plans sold)",
    );
  }
  const shared = prices.pro.filter((id) => prices.team.includes(id));
  if (shared.length > 0) {
    r.problems.push(
      `STRIPE_PRICE_PRO and STRIPE_PRICE_TEAM share ${
        shared.join(", ")
      }: a price belongs to one plan`,
    );
  }
  if (apiUrl !== undefined && (apiUrl.pathname !== "/" || apiUrl.search)) {
    r.problems.push(
      `STRIPE_API_URL must be an origin without a path (got "${apiUrl.href}")`,
    );
  }
  return {
    secretKey,
    webhookSecret: webhookSecret ?? "",
    prices,
    apiUrl,
  };
}
