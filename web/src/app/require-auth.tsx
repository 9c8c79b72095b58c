import { Navigate, Outlet, useLocation } from 'react-router-dom';
import { useMe } from '../api/getters/use-me';
import { ErrorAlert } from '../components/error-alert';
import { PageLoader } from '../components/page-loader';
import { loginPathFor } from './safe-next';

/** Renders its pages only for a logged-in user; everyone else goes to the login page. */
export function RequireAuth() {
  const location = useLocation();
  const me = useMe();

  if (me.isPending) return <PageLoader label="Checking your session" />;
  if (me.isError) {
    return <ErrorAlert error={me.error} onRetry={() => void me.refetch()} />;
  }
  if (!me.data) {
    return <Navigate to={loginPathFor(`${location.pathname}${location.search}`)} replace />;
  }
  return <Outlet />;
}
