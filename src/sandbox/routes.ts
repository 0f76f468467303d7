/**
 * Which handler answers which route and method, and which requests write (so their effect can be
 * "applied but lost" by a fault).
 */
import type { Handler } from './handlers/context.js';
import { aggregateMember, listMemberChallenges, readMemberStatus, resumeAggregation, verifyMember } from './handlers/memberActions.js';
import {
  createMember, deleteMember, listInstitutionCredentials, listMembers, readMember, readOAuthWindow, updateMember,
} from './handlers/members.js';
import { createUser, deleteUser, listUsers, readUser, updateUser } from './handlers/users.js';
import { listInstitutions, readInstitution } from './handlers/institutions.js';
import { requestWidgetUrl } from './handlers/widget.js';
import type { RouteName } from './router.js';

export const HANDLERS: ReadonlyMap<string, Handler> = new Map([
  ['users GET', listUsers],
  ['users POST', createUser],
  ['user GET', readUser],
  ['user PUT', updateUser],
  ['user DELETE', deleteUser],
  ['members GET', listMembers],
  ['members POST', createMember],
  ['member GET', readMember],
  ['member PUT', updateMember],
  ['member DELETE', deleteMember],
  ['oauthWindow GET', readOAuthWindow],
  ['memberStatus GET', readMemberStatus],
  ['aggregate POST', aggregateMember],
  ['verify POST', verifyMember],
  ['challenges GET', listMemberChallenges],
  ['resume PUT', resumeAggregation],
  ['credentials GET', listInstitutionCredentials],
  ['institutions GET', listInstitutions],
  ['institution GET', readInstitution],
  ['widgetUrls POST', requestWidgetUrl],
]);

/** Creates and deletes of users and members. */
export function isWriteRoute(name: RouteName, method: string): boolean {
  return method === 'POST' ? name === 'users' || name === 'members' : method === 'DELETE';
}

/** Routes whose POST takes no body, so an empty one of any Content-Type is accepted (the SDK sends form-encoded). */
export function takesNoBody(name: RouteName): boolean {
  return name === 'aggregate' || name === 'verify';
}
