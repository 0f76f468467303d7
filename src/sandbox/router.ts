/**
 * The hand-written router: the API has a dozen fixed shapes of path, so splitting on "/" and
 * switching on the segment count is both the fastest and the plainest way to match them.
 */

export type RouteName =
  | 'token' | 'users' | 'user' | 'members' | 'member' | 'memberStatus' | 'aggregate' | 'challenges' | 'resume'
  | 'credentials' | 'verify' | 'oauthWindow' | 'institutions' | 'institution' | 'widgetUrls';

export interface RouteMatch {
  name: RouteName;
  /** The methods the path answers, for 405 and `Allow`. */
  allow: readonly string[];
  userGuid: string;
  memberGuid: string;
  institutionCode: string;
}

const MEMBER_ACTIONS: ReadonlyMap<string, [RouteName, readonly string[]]> = new Map([
  ['status', ['memberStatus', ['GET']]],
  ['aggregate', ['aggregate', ['POST']]],
  ['challenges', ['challenges', ['GET']]],
  ['resume', ['resume', ['PUT']]],
  ['verify', ['verify', ['POST']]],
  ['oauth_window_uri', ['oauthWindow', ['GET']]],
]);

function decode(segment: string): string | undefined {
  if (segment === '') return undefined;
  if (!segment.includes('%')) return segment;
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

/**
 * The route a path names, or undefined for an unknown path (a trailing slash included).
 *
 * @example
 * matchRoute('/users/USR-1/members'); // { name: 'members', allow: ['GET', 'POST'], userGuid: 'USR-1', ... }
 */
export function matchRoute(path: string): RouteMatch | undefined {
  const parts = path.split('/');
  if (parts[0] !== '') return undefined;
  const found = (name: RouteName, allow: readonly string[], userGuid = '', memberGuid = '', institutionCode = ''): RouteMatch =>
    ({ name, allow, userGuid, memberGuid, institutionCode });
  if (parts[1] === 'oauth') return parts.length === 3 && parts[2] === 'token' ? found('token', ['POST']) : undefined;
  if (parts[1] === 'institutions') {
    if (parts.length === 2) return found('institutions', ['GET']);
    const code = parts.length === 3 || (parts.length === 4 && parts[3] === 'credentials') ? decode(parts[2] ?? '') : undefined;
    if (code === undefined) return undefined;
    return parts.length === 3 ? found('institution', ['GET'], '', '', code) : found('credentials', ['GET'], '', '', code);
  }
  if (parts[1] !== 'users') return undefined;
  if (parts.length === 2) return found('users', ['GET', 'POST']);
  const userGuid = decode(parts[2] ?? '');
  if (userGuid === undefined) return undefined;
  if (parts.length === 3) return found('user', ['GET', 'PUT', 'DELETE'], userGuid);
  if (parts[3] === 'widget_urls') return parts.length === 4 ? found('widgetUrls', ['POST'], userGuid) : undefined;
  if (parts[3] !== 'members') return undefined;
  if (parts.length === 4) return found('members', ['GET', 'POST'], userGuid);
  const memberGuid = decode(parts[4] ?? '');
  if (memberGuid === undefined) return undefined;
  if (parts.length === 5) return found('member', ['GET', 'PUT', 'DELETE'], userGuid, memberGuid);
  const action = parts.length === 6 ? MEMBER_ACTIONS.get(parts[5] ?? '') : undefined;
  return action ? found(action[0], action[1], userGuid, memberGuid) : undefined;
}
