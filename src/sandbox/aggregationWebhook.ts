/**
 * MX's AGGREGATION webhook (docs.mx.com/resources/webhooks/aggregation): "member_data_updated",
 * which fires "only after a completed aggregation". The sandbox keeps no transactions, so both
 * counts are 0, and it runs no background aggregation, so `is_background` is false.
 */

/**
 * The webhook's body for `memberGuid`'s aggregation that started at `startedAt` and completed at
 * `completedAt` (epoch ms).
 *
 * @example
 * aggregationWebhookBody('MBR-1', { user_guid: 'USR-1', user_id: 'u1' }, 1_760_000_000_000, 1_760_000_002_000).type; // 'AGGREGATION'
 */
export function aggregationWebhookBody(
  memberGuid: string, owner: { user_guid?: unknown; user_id?: unknown }, startedAt: number, completedAt: number,
): Record<string, unknown> {
  return {
    action: 'member_data_updated',
    completed_at: Math.floor(completedAt / 1000),
    completed_on: new Date(completedAt).toISOString().slice(0, 10),
    is_background: false,
    job_guid: `JOB-${memberGuid.slice(4)}-${startedAt}`,
    member_guid: memberGuid,
    transactions_created_count: 0,
    transactions_updated_count: 0,
    type: 'AGGREGATION',
    user_guid: owner.user_guid,
    user_id: owner.user_id,
  };
}
