/**
 * The one-time URLs the sandbox hands out for its end users: Connect widget URLs
 * (`POST /users/{user_guid}/widget_urls`) and `oauth_window_uri`s. Each is a bearer secret: a
 * random 256-bit token that is kept only as its SHA-256, spent by its first completion and dead
 * after `widgetUrlTtlMs` (MX: "The URL expires after ten minutes or upon first use").
 */
import { createHash, randomBytes } from 'node:crypto';

export type LinkKind = 'widget' | 'oauth';

/** Where a widget URL's flow stands: asking for credentials, for an MFA answer, or for an OAuth authorisation. */
export type WidgetStage = 'credentials' | 'challenge' | 'oauth';

export type OAuthOutcome = 'authorized' | 'denied' | 'cancelled';

export interface EndUserLink {
  kind: LinkKind;
  clientId: string;
  userGuid: string;
  /** The member the link acts on: the OAuth member, the widget's `current_member_guid`, or the one the widget created. */
  memberGuid: string | null;
  /** The widget's preselected institution (`current_institution_code`). */
  institutionCode: string | null;
  /** The widget request's `X-Callback-Payload`, echoed in the MEMBER webhooks of what the end user does. */
  callbackPayload: string | undefined;
  /** `skip_aggregation` of the OAuth window request: an authorised member does not aggregate. */
  skipAggregation: boolean;
  stage: WidgetStage;
  issuedAt: number;
  spent: boolean;
}

/** What the ground truth shows of one kind of link: counts only, never a URL. */
export interface LinkCounts {
  issued: number;
  /** Completed by the end user (and so spent). */
  completed: number;
  /** Neither completed nor usable any more: their time ran out. */
  expired: number;
  /** Still usable now. */
  open: number;
}

export interface EndUserStats {
  widgetUrls: LinkCounts;
  oauthWindows: LinkCounts;
  /** How OAuth authorisations ended, from the OAuth page or the widget's OAuth step. */
  oauthOutcomes: Record<OAuthOutcome, number>;
  /** Page requests answered 410: a spent or expired URL. */
  gone: number;
}

/** Records of dead links are kept this long past their expiry (so they answer 410, not 404), then dropped. */
const KEEP_DEAD_MS = 3_600_000;

const digest = (token: string): string => createHash('sha256').update(token).digest('base64url');

export const PAGE_PATHS: Readonly<Record<LinkKind, string>> = { widget: '/widgets/connect/', oauth: '/widgets/oauth/' };

export class EndUserLinks {
  /** `http://host:port` of the sandbox, set once it listens. */
  baseUrl = '';
  private readonly links = new Map<string, EndUserLink>();
  private stats: EndUserStats = emptyStats();
  private dropped: Record<LinkKind, number> = { widget: 0, oauth: 0 };

  constructor(private readonly ttlMs: number) {}

  /**
   * A new URL for `link`: the page's address with a fresh token.
   *
   * @example
   * const url = links.issue({ kind: 'oauth', clientId, userGuid, memberGuid, ... }); // http://127.0.0.1:PORT/widgets/oauth/…
   */
  issue(link: Omit<EndUserLink, 'spent' | 'stage'> & { stage?: WidgetStage }): string {
    this.sweep(link.issuedAt);
    const token = randomBytes(32).toString('base64url');
    this.links.set(digest(token), { stage: link.kind === 'oauth' ? 'oauth' : 'credentials', ...link, spent: false });
    this.counts(link.kind).issued += 1;
    return `${this.baseUrl}${PAGE_PATHS[link.kind]}${token}`;
  }

  /** The link a token names: `unknown` (404), `gone` (410: spent or expired), or the link itself. */
  find(kind: LinkKind, token: string, now: number): EndUserLink | 'unknown' | 'gone' {
    const link = this.links.get(digest(token));
    if (!link || link.kind !== kind) return 'unknown';
    if (link.spent || now >= link.issuedAt + this.ttlMs) {
      this.stats.gone += 1;
      return 'gone';
    }
    return link;
  }

  /** Marks the link used up by its completion. */
  complete(link: EndUserLink): void {
    if (link.spent) return;
    link.spent = true;
    this.counts(link.kind).completed += 1;
  }

  /** Marks the link dead without a completion (its member went away or its challenge expired). */
  discard(link: EndUserLink): void {
    link.spent = true;
  }

  recordOutcome(outcome: OAuthOutcome): void {
    this.stats.oauthOutcomes[outcome] += 1;
  }

  snapshot(now: number): EndUserStats {
    const widgetUrls = { ...this.stats.widgetUrls, expired: this.dropped.widget, open: 0 };
    const oauthWindows = { ...this.stats.oauthWindows, expired: this.dropped.oauth, open: 0 };
    for (const link of this.links.values()) {
      const counts = link.kind === 'widget' ? widgetUrls : oauthWindows;
      if (!link.spent && now < link.issuedAt + this.ttlMs) counts.open += 1;
      else if (!link.spent) counts.expired += 1;
    }
    return { widgetUrls, oauthWindows, oauthOutcomes: { ...this.stats.oauthOutcomes }, gone: this.stats.gone };
  }

  clear(): void {
    this.links.clear();
    this.stats = emptyStats();
    this.dropped = { widget: 0, oauth: 0 };
  }

  private counts(kind: LinkKind): { issued: number; completed: number } {
    return kind === 'widget' ? this.stats.widgetUrls : this.stats.oauthWindows;
  }

  /** Drops links dead for an hour; they are in issue order, so the scan stops at the first live one. */
  private sweep(now: number): void {
    for (const [key, link] of this.links) {
      if (now < link.issuedAt + this.ttlMs + KEEP_DEAD_MS) break;
      if (!link.spent) this.dropped[link.kind] += 1;
      this.links.delete(key);
    }
  }
}

function emptyStats(): EndUserStats {
  const counts = (): LinkCounts => ({ issued: 0, completed: 0, expired: 0, open: 0 });
  return { widgetUrls: counts(), oauthWindows: counts(), oauthOutcomes: { authorized: 0, denied: 0, cancelled: 0 }, gone: 0 };
}
