/**
 * The path template of each sandbox route, as each API version's OpenAPI file spells it: the
 * ground truth's `stats.byRoute` counts requests by method and template, so a test or a bench can
 * say which calls a job made (and a reader can look each one up in MX's reference).
 */
import type { RouteName } from './router.js';
import type { ApiVersion } from './versions.js';

/** The key of a request that named no route (an unknown path): counted, so the counts add up. */
export const UNMATCHED_ROUTE = '(no route)';

const V20111101: Readonly<Record<RouteName, string>> = {
  token: '/oauth/token',
  users: '/users',
  user: '/users/{user_guid}',
  members: '/users/{user_guid}/members',
  member: '/users/{user_guid}/members/{member_guid}',
  memberStatus: '/users/{user_guid}/members/{member_guid}/status',
  aggregate: '/users/{user_guid}/members/{member_guid}/aggregate',
  challenges: '/users/{user_guid}/members/{member_guid}/challenges',
  resume: '/users/{user_guid}/members/{member_guid}/resume',
  verify: '/users/{user_guid}/members/{member_guid}/verify',
  oauthWindow: '/users/{user_guid}/members/{member_guid}/oauth_window_uri',
  credentials: '/institutions/{institution_code}/credentials',
  institutions: '/institutions',
  institution: '/institutions/{institution_code}',
  widgetUrls: '/users/{user_guid}/widget_urls',
};

// v20250224 names users and members by `*_identifier` (the external id or the guid); its
// widget_urls and institution paths keep their v20111101 parameter names.
const V20250224: Readonly<Record<RouteName, string>> = {
  ...V20111101,
  user: '/users/{user_identifier}',
  members: '/users/{user_identifier}/members',
  member: '/users/{user_identifier}/members/{member_identifier}',
  memberStatus: '/users/{user_identifier}/members/{member_identifier}/status',
  aggregate: '/users/{user_identifier}/members/{member_identifier}/aggregate',
  challenges: '/users/{user_identifier}/members/{member_identifier}/challenges',
  resume: '/users/{user_identifier}/members/{member_identifier}/resume',
  verify: '/users/{user_identifier}/members/{member_identifier}/verify',
  oauthWindow: '/users/{user_identifier}/members/{member_identifier}/oauth_window_uri',
  credentials: '/institutions/{institution_identifier}/credentials',
};

/** Every route's template, by API version. */
export const ROUTE_TEMPLATES: Readonly<Record<ApiVersion, Readonly<Record<RouteName, string>>>> = {
  v20111101: V20111101,
  v20250224: V20250224,
};

/**
 * The `stats.byRoute` key of a request: its method and the route's template in `version`.
 *
 * @example
 * routeKey('POST', 'members', 'v20111101'); // 'POST /users/{user_guid}/members'
 * routeKey('GET', undefined, 'v20250224'); // 'GET (no route)'
 */
export function routeKey(method: string, name: RouteName | undefined, version: ApiVersion): string {
  return `${method} ${name === undefined ? UNMATCHED_ROUTE : ROUTE_TEMPLATES[version][name]}`;
}
