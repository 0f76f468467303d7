export { createMxClient, type ObservableMxClient } from './client.js';
export { API_VERSIONS, defaultMxClientOptions, type ApiVersion, resolveMxClientOptions, type MxClientInit, type MxClientOptions, type RateOptions } from './options.js';
export { checkExternalId } from './validate.js';
export type {
  CallOptions,
  ChallengeAnswer,
  ConnectionStatus,
  CreateMemberInput,
  CreateUserInput,
  CredentialValue,
  MxChallenge,
  MxChallengeOption,
  AggregateOptions,
  MxClient,
  MxCredentialField,
  MxInstitution,
  MxMember,
  MxMemberStatus,
  MxUser,
  UpdateMemberInput,
  WidgetUrlRequest,
} from './types.js';

export { type ExchangeNote } from './types.js';
