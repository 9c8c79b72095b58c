// Shapes of the performance tracker API, inferred from the server's zod schemas (type-only imports).
import type { z } from 'zod';
import type {
  cohortResponse,
  dashboardResponse,
  paperListResponse,
  paperView,
  putResultBody,
  putResultResponse,
  resultListResponse,
  resultView,
} from '../../../src/modules/tracker/tracker-schemas.ts';

export type Paper = z.infer<typeof paperView>;
export type PaperList = z.infer<typeof paperListResponse>;
export type TrackerResult = z.infer<typeof resultView>;
export type ResultList = z.infer<typeof resultListResponse>;
export type PutResultInput = z.input<typeof putResultBody>;
export type PutResultAnswer = z.infer<typeof putResultResponse>;
export type TrackerDashboard = z.infer<typeof dashboardResponse>;
export type NodeStat = TrackerDashboard['skills'][number];
export type WeakLink = TrackerDashboard['weakLinks'][number];
export type Cohort = z.infer<typeof cohortResponse>;
