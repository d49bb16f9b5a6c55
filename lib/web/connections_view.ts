/**
 * What the Connected accounts settings show, decided on the server from
 * the configured providers and the account's links, for the page and the
 * JSON route alike: every configured provider in the sign-in page's order
 * with its links (or none: a Connect link), then the links whose provider
 * is no longer configured (they can still be disconnected), and which
 * link, if any, is the account's last way to sign in.
 *
 * The last-method rule is shown here before anyone presses anything; the
 * rule itself is enforced by `unlinkIdentity` (lib/oauth/accounts.ts) in
 * the same statement as the delete, so a stale page cannot get past it.
 *
 * @module
 */
import type { LinkedIdentity, OAuthProvider } from "../db/oauth_accounts.ts";
import type { OAuthClients } from "../oauth/clients.ts";

/** One link of the account to a provider identity. */
export interface ConnectionView {
  /** `oauth_accounts.id`: what Disconnect sends. */
  id: string;
  /** Who the person is at the provider: the login or email it gave. */
  label: string;
  /** When it was connected (Unix ms). */
  createdAt: number;
}

/** A configured provider and the account's links to it. */
export interface ProviderConnections {
  /** The provider's id in URLs: `github`, `google` or an OIDC slug. */
  id: string;
  /** Its display name ("GitHub", "Acme SSO"). */
  name: string;
  /** Where "Connect" goes: the link flow's start. */
  connectHref: string;
  /** Usually none or one; an account can hold two identities of one provider. */
  connections: ConnectionView[];
}

/** A link whose provider is no longer configured: shown so it can be removed. */
export interface RetiredConnection extends ConnectionView {
  provider: OAuthProvider;
  /** How it is named: "GitHub", "GitHub at <host>", "Google", or the issuer URL. */
  source: string;
}

/** The whole of what the settings show. */
export interface ConnectionsView {
  providers: ProviderConnections[];
  retired: RetiredConnection[];
  /** Whether the account can sign in with a password. */
  hasPassword: boolean;
  /**
   * The link that is the only way left to sign in (no password, one
   * link), whose Disconnect is refused; null when there is none.
   */
  lastMethodId: string | null;
}

/**
 * Where a provider's link flow starts, for a signed-in account.
 *
 * @example
 * ```ts
 * connectHref("github"); // "/oauth/github?intent=link"
 * ```
 */
export function connectHref(providerId: string): string {
  return `/oauth/${encodeURIComponent(providerId)}?intent=link`;
}

/**
 * Sorts the account's links under the configured providers.
 *
 * @example
 * ```ts
 * import type { OAuthClients } from "../oauth/clients.ts";
 * declare const clients: OAuthClients;
 * const view = connectionsView(clients, [], true);
 * view.providers.map((p) => p.connections.length); // [0, 0] with two providers
 * ```
 */
export function connectionsView(
  clients: OAuthClients,
  links: readonly LinkedIdentity[],
  hasPassword: boolean,
): ConnectionsView {
  const providers: ProviderConnections[] = clients.list.map((c) => ({
    id: c.id,
    name: c.name,
    connectHref: connectHref(c.id),
    connections: [],
  }));
  const retired: RetiredConnection[] = [];
  const ordered = [...links].sort((a, b) => a.createdAt - b.createdAt);
  for (const link of ordered) {
    const view: ConnectionView = {
      id: link.id,
      label: labelOf(link),
      createdAt: link.createdAt,
    };
    const client = clients.forLink(link.provider, link.providerUserId);
    const row = client && providers.find((p) => p.id === client.id);
    if (row) row.connections.push(view);
    else {
      retired.push({
        ...view,
        provider: link.provider,
        source: sourceOf(link),
      });
    }
  }
  return {
    providers,
    retired,
    hasPassword,
    lastMethodId: !hasPassword && links.length === 1 ? links[0].id : null,
  };
}

/**
 * The name a link's provider goes by in words: the configured name when it
 * is configured, else what its stored identity says.
 *
 * @example
 * ```ts
 * import type { OAuthClients } from "../oauth/clients.ts";
 * import type { LinkedIdentity } from "../db/oauth_accounts.ts";
 * declare const clients: OAuthClients;
 * declare const link: LinkedIdentity;
 * providerNameOf(clients, link); // "GitHub"
 * ```
 */
export function providerNameOf(
  clients: OAuthClients,
  link: Pick<LinkedIdentity, "provider" | "providerUserId">,
): string {
  return clients.forLink(link.provider, link.providerUserId)?.name ??
    sourceOf(link);
}

/**
 * A link's index in `clients.list`, or `clients.list.length` (past its end)
 * when its provider is no longer configured: what a flash cookie carries
 * instead of the name.
 *
 * @example
 * ```ts
 * import type { OAuthClients } from "../oauth/clients.ts";
 * import type { LinkedIdentity } from "../db/oauth_accounts.ts";
 * declare const clients: OAuthClients;
 * declare const link: LinkedIdentity;
 * providerIndexOf(clients, link); // 0 for the first provider listed
 * ```
 */
export function providerIndexOf(
  clients: OAuthClients,
  link: Pick<LinkedIdentity, "provider" | "providerUserId">,
): number {
  const client = clients.forLink(link.provider, link.providerUserId);
  return client === null ? clients.list.length : clients.list.indexOf(client);
}

// Stored ids of another source than the default one are "<origin or
// issuer> <id>" (lib/oauth/provider.ts, ProviderIdentity.providerUserId).
// The first space ends the source: a URL has none, a `sub` may.
function splitId(
  providerUserId: string,
): { source: string | null; id: string } {
  const space = providerUserId.indexOf(" ");
  return space < 0 ? { source: null, id: providerUserId } : {
    source: providerUserId.slice(0, space),
    id: providerUserId.slice(space + 1),
  };
}

function sourceOf(
  link: Pick<LinkedIdentity, "provider" | "providerUserId">,
): string {
  const { source } = splitId(link.providerUserId);
  switch (link.provider) {
    case "github":
      return source === null ? "GitHub" : `GitHub at ${hostOf(source)}`;
    case "google":
      return "Google";
    case "oidc":
      return source ?? "A sign-in provider";
  }
}

function hostOf(origin: string): string {
  try {
    return new URL(origin).host;
  } catch {
    return origin;
  }
}

// Rows from before labels were stored have none: the provider's own id
// is then the only name there is.
function labelOf(link: LinkedIdentity): string {
  return link.label ?? splitId(link.providerUserId).id;
}

/**
 * The view as the JSON API gives it: times as ISO strings, ids as text.
 *
 * @example
 * ```ts
 * import { jsonOk } from "../http/json.ts";
 * declare const view: ConnectionsView;
 * const res = jsonOk(connectionsJson(view));
 * ```
 */
export function connectionsJson(
  view: ConnectionsView,
): Record<string, unknown> {
  const one = (c: ConnectionView) => ({
    id: c.id,
    label: c.label,
    createdAt: new Date(c.createdAt).toISOString(),
    /** Disconnecting it is refused: no password and no other link. */
    lastMethod: c.id === view.lastMethodId,
  });
  return {
    providers: view.providers.map((p) => ({
      id: p.id,
      name: p.name,
      connectUrl: p.connectHref,
      connections: p.connections.map(one),
    })),
    retired: view.retired.map((r) => ({
      ...one(r),
      provider: r.provider,
      source: r.source,
    })),
    hasPassword: view.hasPassword,
  };
}
