/**
 * A minimal OpenID Connect issuer for the cases even a spoiled real
 * provider never produces (test-only; see `oidc_refusals_test.ts` for the
 * list). `oidc_test.ts` and `oidc_id_token_test.ts` run everything they
 * can against the real npm `oidc-provider`; this serves a discovery
 * document, a key set and a token endpoint whose answer the test writes
 * (an ID token HMAC-signed or signed by a stranger's key, no ID token,
 * not JSON), and can make its discovery fail or hang. No authorization
 * endpoint: the test calls `identify` with any code.
 *
 * @module
 */
import {
  exportJWK,
  generateKeyPair,
  type JWTPayload,
  SignJWT,
  UnsecuredJWT,
} from "jose";

/** How the next ID token is made. */
export type Signing = "good" | "none" | "hs256" | "stranger";

/** A running fake issuer. */
export interface FakeIssuer {
  /** `http://127.0.0.1:<port>`. */
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** The discovery document served (change it before the client reads it). */
  doc: Record<string, unknown>;
  /**
   * The next token answer: the claims of its ID token (good defaults:
   * `iss`, `aud`, `sub`, `iat`, `exp` in 10 minutes, `email`), changed by
   * `claims`, signed as `signing`; `extra` merged into the JSON answer.
   */
  answer(o: {
    claims?: Record<string, unknown>;
    signing?: Signing;
    extra?: Record<string, unknown>;
    raw?: string;
  }): void;
  /** The userinfo answer. */
  userinfo: Record<string, unknown>;
  /** The next discovery request answers 500, or never (until stop). */
  failDiscovery(kind: "500" | "hang"): void;
  /** Every request: `"GET /.well-known/openid-configuration"`. */
  requests: string[];
  stop(): Promise<void>;
}

/**
 * Starts the fake issuer on a free port.
 *
 * @example
 * ```ts
 * const fake = await startFakeIssuer();
 * try {
 *   fake.answer({ claims: { aud: "someone-else" } });
 * } finally {
 *   await fake.stop();
 * }
 * ```
 */
export async function startFakeIssuer(): Promise<FakeIssuer> {
  const { privateKey, publicKey } = await generateKeyPair("RS256");
  const stranger = await generateKeyPair("RS256");
  const jwk = { ...(await exportJWK(publicKey)), kid: "k1", alg: "RS256" };
  const clientId = "islet-fake";
  const clientSecret = "fake-client-secret-0123456789abcdef";
  const requests: string[] = [];
  const stopped = Promise.withResolvers<void>();
  let discoveryFailure: "500" | "hang" | null = null;
  let next: Parameters<FakeIssuer["answer"]>[0] = {};

  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    async (req) => {
      const url = new URL(req.url);
      requests.push(`${req.method} ${url.pathname}`);
      switch (url.pathname) {
        case "/.well-known/openid-configuration": {
          const failure = discoveryFailure;
          discoveryFailure = null;
          if (failure === "500") return new Response("down", { status: 500 });
          if (failure === "hang") {
            await stopped.promise;
            return new Response("late", { status: 503 });
          }
          return Response.json(fake.doc);
        }
        case "/jwks":
          return Response.json({ keys: [jwk] });
        case "/token":
          return await token();
        case "/userinfo":
          return Response.json(fake.userinfo);
      }
      return new Response("not found", { status: 404 });
    },
  );
  const issuer = `http://127.0.0.1:${server.addr.port}`;

  async function token(): Promise<Response> {
    const o = next;
    next = {};
    if (o.raw !== undefined) {
      return new Response(o.raw, {
        headers: { "content-type": "application/json" },
      });
    }
    const now = Math.floor(Date.now() / 1000);
    const claims: JWTPayload = {
      iss: issuer,
      aud: clientId,
      sub: "user-1",
      iat: now,
      exp: now + 600,
      email: "fake@example.com",
      email_verified: true,
      ...o.claims,
    };
    for (const [k, v] of Object.entries(claims)) {
      if (v === undefined) delete claims[k];
    }
    let idToken: string;
    switch (o.signing ?? "good") {
      case "none":
        idToken = new UnsecuredJWT(claims).encode();
        break;
      case "hs256":
        idToken = await new SignJWT(claims)
          .setProtectedHeader({ alg: "HS256", kid: "k1" })
          .sign(new TextEncoder().encode(clientSecret));
        break;
      case "stranger":
        idToken = await new SignJWT(claims)
          .setProtectedHeader({ alg: "RS256", kid: "k1" })
          .sign(stranger.privateKey);
        break;
      default:
        idToken = await new SignJWT(claims)
          .setProtectedHeader({ alg: "RS256", kid: "k1" })
          .sign(privateKey);
    }
    return Response.json({
      access_token: "fake-access-token",
      token_type: "Bearer",
      expires_in: 600,
      id_token: idToken,
      ...o.extra,
    });
  }

  const fake: FakeIssuer = {
    issuer,
    clientId,
    clientSecret,
    doc: {
      issuer,
      authorization_endpoint: `${issuer}/authorize`,
      token_endpoint: `${issuer}/token`,
      userinfo_endpoint: `${issuer}/userinfo`,
      jwks_uri: `${issuer}/jwks`,
      response_types_supported: ["code"],
      subject_types_supported: ["public"],
      // HS256 listed on purpose: the client must not take it.
      id_token_signing_alg_values_supported: ["RS256", "HS256", "none"],
    },
    userinfo: { sub: "user-1", email: "fake@example.com" },
    answer(o) {
      next = o;
    },
    failDiscovery(kind) {
      discoveryFailure = kind;
    },
    requests,
    async stop() {
      stopped.resolve();
      await server.shutdown();
    },
  };
  return fake;
}
