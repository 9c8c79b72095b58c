// Live progress of running jobs over server-sent events (one EventSource per job, a few at a
// time): each update is written into the cached job lists, so the table re-renders with the
// new progress. When the browser cannot keep a stream (no EventSource, or the server refused
// it), `live` turns false and the page polls instead.
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import type { JobList, JobView } from '../jobs-types';
import { queryKeys } from '../query-keys';

/** Browsers allow ~6 connections per server over HTTP/1.1: leave room for everything else. */
export const MAX_LIVE_JOBS = 3;

export function useLiveJobs(jobIds: readonly string[]): { live: boolean } {
  const queryClient = useQueryClient();
  const [failed, setFailed] = useState(typeof EventSource === 'undefined');
  const key = jobIds.slice(0, MAX_LIVE_JOBS).join(',');

  useEffect(() => {
    if (failed || key === '') return;
    const sources = key.split(',').map((id) => {
      const source = new EventSource(`/api/jobs/${encodeURIComponent(id)}/events`);
      source.addEventListener('job', (event) => {
        const job = JSON.parse((event as MessageEvent<string>).data) as JobView;
        queryClient.setQueriesData<JobList>({ queryKey: queryKeys.jobs.all }, (list) =>
          list ? { ...list, jobs: list.jobs.map((j) => (j.id === job.id ? job : j)) } : list,
        );
      });
      source.addEventListener('end', () => {
        source.close();
        // The finished job may now fall out of a filter, or others may have started.
        void queryClient.invalidateQueries({ queryKey: queryKeys.jobs.all });
      });
      source.addEventListener('error', () => {
        // CONNECTING: the browser retries by itself. CLOSED: the server refused the stream.
        if (source.readyState === EventSource.CLOSED) setFailed(true);
      });
      return source;
    });
    return () => {
      for (const source of sources) source.close();
    };
  }, [key, failed, queryClient]);

  return { live: !failed };
}
