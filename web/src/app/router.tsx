import { Navigate, createBrowserRouter } from 'react-router-dom';
import { NotFoundPage } from '../components/not-found-page';
import { PageLoader } from '../components/page-loader';
import { LoginPage } from '../features/auth/login-page';
import { SignupPage } from '../features/auth/signup-page';
import { DashboardPage } from '../features/dashboard/dashboard-page';
import { AppLayout } from './app-layout';
import { RequireAuth } from './require-auth';
import { RouteError } from './route-error';

export const router = createBrowserRouter([
  { path: '/login', element: <LoginPage />, errorElement: <RouteError /> },
  { path: '/signup', element: <SignupPage />, errorElement: <RouteError /> },
  {
    element: <AppLayout />,
    errorElement: <RouteError />,
    // Shown while a lazily loaded page's code arrives on a direct visit.
    hydrateFallbackElement: <PageLoader />,
    children: [
      {
        element: <RequireAuth />,
        children: [
          { path: '/', element: <Navigate to="/dashboard" replace /> },
          { path: '/dashboard', element: <DashboardPage /> },
          {
            path: '/account',
            lazy: () =>
              import('../features/account/account-page').then((m) => ({
                Component: m.AccountPage,
              })),
          },
          {
            path: '/jobs',
            lazy: () =>
              import('../features/jobs/jobs-page').then((m) => ({ Component: m.JobsPage })),
          },
          {
            path: '/roles',
            lazy: () =>
              import('../features/paths/roles-page').then((m) => ({ Component: m.RolesPage })),
          },
          {
            path: '/roles/new',
            lazy: () =>
              import('../features/paths/role-editor-page').then((m) => ({
                Component: m.RoleEditorPage,
              })),
          },
          {
            path: '/roles/:ref',
            lazy: () =>
              import('../features/paths/role-page').then((m) => ({ Component: m.RolePage })),
          },
          {
            path: '/roles/:ref/edit',
            lazy: () =>
              import('../features/paths/role-editor-page').then((m) => ({
                Component: m.RoleEditorPage,
              })),
          },
          {
            path: '/paths',
            lazy: () =>
              import('../features/paths/my-paths-page').then((m) => ({
                Component: m.MyPathsPage,
              })),
          },
          {
            path: '/paths/:id',
            lazy: () =>
              import('../features/paths/path-page').then((m) => ({ Component: m.PathPage })),
          },
          {
            path: '/paths/:id/modules/:moduleId',
            lazy: () =>
              import('../features/paths/module-page').then((m) => ({ Component: m.ModulePage })),
          },
          {
            path: '/placement',
            lazy: () =>
              import('../features/placement/placement-page').then((m) => ({
                Component: m.PlacementPage,
              })),
          },
          {
            path: '/placement/:id/result',
            lazy: () =>
              import('../features/placement/placement-result-page').then((m) => ({
                Component: m.PlacementResultPage,
              })),
          },
          {
            path: '/papers',
            lazy: () =>
              import('../features/tracker/papers-page').then((m) => ({ Component: m.PapersPage })),
          },
          {
            path: '/tracker',
            lazy: () =>
              import('../features/tracker/tracker-dashboard-page').then((m) => ({
                Component: m.TrackerDashboardPage,
              })),
          },
          {
            path: '/recommendations',
            lazy: () =>
              import('../features/recommendations/recommendations-page').then((m) => ({
                Component: m.RecommendationsPage,
              })),
          },
          {
            path: '/tracker/cohort',
            lazy: () =>
              import('../features/tracker/cohort-page').then((m) => ({ Component: m.CohortPage })),
          },
          {
            path: '/questions',
            lazy: () =>
              import('../features/questions/questions-page').then((m) => ({
                Component: m.QuestionsPage,
              })),
          },
          {
            path: '/questions/import',
            lazy: () =>
              import('../features/questions/question-import-page').then((m) => ({
                Component: m.QuestionImportPage,
              })),
          },
          {
            path: '/questions/review',
            lazy: () =>
              import('../features/questions/review-tags-page').then((m) => ({
                Component: m.ReviewTagsPage,
              })),
          },
          {
            path: '/questions/ocr',
            lazy: () =>
              import('../features/questions/ocr-import-page').then((m) => ({
                Component: m.OcrImportPage,
              })),
          },
          {
            path: '/questions/ocr/:id',
            lazy: () =>
              import('../features/questions/ocr-draft-page').then((m) => ({
                Component: m.OcrDraftPage,
              })),
          },
          {
            path: '/questions/:id',
            lazy: () =>
              import('../features/questions/question-detail-page').then((m) => ({
                Component: m.QuestionDetailPage,
              })),
          },
          {
            path: '/graph',
            lazy: () =>
              import('../features/graph/graph-page').then((m) => ({ Component: m.GraphPage })),
          },
          {
            path: '/graph/import',
            lazy: () =>
              import('../features/graph/graph-import-page').then((m) => ({
                Component: m.GraphImportPage,
              })),
          },
          {
            path: '/graph/nodes/:ref',
            lazy: () =>
              import('../features/graph/node-page').then((m) => ({ Component: m.NodePage })),
          },
          {
            path: '/practice/:questionId',
            lazy: () =>
              import('../features/practice/practice-page').then((m) => ({
                Component: m.PracticePage,
              })),
          },
          {
            path: '/reviews',
            lazy: () =>
              import('../features/practice/reviews-page').then((m) => ({
                Component: m.ReviewsPage,
              })),
          },
          {
            path: '/reviews/session',
            lazy: () =>
              import('../features/practice/review-session-page').then((m) => ({
                Component: m.ReviewSessionPage,
              })),
          },
          {
            path: '/mastery',
            lazy: () =>
              import('../features/mastery/mastery-page').then((m) => ({
                Component: m.MasteryPage,
              })),
          },
          {
            path: '/mastery/cohort',
            lazy: () =>
              import('../features/mastery/cohort-mastery-page').then((m) => ({
                Component: m.CohortMasteryPage,
              })),
          },
          {
            path: '/mastery/:skillId',
            lazy: () =>
              import('../features/mastery/skill-evidence-page').then((m) => ({
                Component: m.SkillEvidencePage,
              })),
          },
          { path: '/admin', element: <Navigate to="/admin/users" replace /> },
          // Admin pages are loaded only by those who open them.
          {
            path: '/admin/users',
            lazy: () =>
              import('../features/admin/users-page').then((m) => ({ Component: m.UsersPage })),
          },
          {
            path: '/admin/audit',
            lazy: () =>
              import('../features/admin/audit-log-page').then((m) => ({
                Component: m.AuditLogPage,
              })),
          },
          {
            path: '/admin/ai-usage',
            lazy: () =>
              import('../features/admin/ai-usage/ai-usage-page').then((m) => ({
                Component: m.AiUsagePage,
              })),
          },
        ],
      },
      { path: '*', element: <NotFoundPage /> },
    ],
  },
]);
