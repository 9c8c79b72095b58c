import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { apiRequest } from '../client';
import { queryKeys } from '../query-keys';
import type { AuditLog, AuditLogQuery } from '../types';

/** Recent audit log entries, newest first (admin only). */
export function useAuditLog(query: AuditLogQuery) {
  return useQuery({
    queryKey: queryKeys.auditLog.list(query),
    queryFn: ({ signal }) =>
      apiRequest<AuditLog>('/api/audit-log', {
        signal,
        query: { limit: query.limit, offset: query.offset },
      }),
    placeholderData: keepPreviousData,
  });
}
