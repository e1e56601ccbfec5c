import { MutationCache, QueryCache, QueryClient } from '@tanstack/react-query';
import { ApiError } from '../api/client.ts';
import { keys } from '../api/keys.ts';

declare module '@tanstack/react-query' {
  interface Register {
    /** `checksPassword`: a sign-in, where a 401 means a wrong password, not an ended session. */
    mutationMeta: { readonly checksPassword?: boolean };
  }
}

/**
 * The app's query client. A 401 from any query or write means the session ended (signed out
 * elsewhere, expired): the app signs out here too, and the sign-in screen opens, keeping where
 * the user was (App.tsx), rather than leave the screens up with a live badge and failing buttons.
 */
export function createQueryClient(): QueryClient {
  const signOutOn401 = (error: unknown) => {
    if (error instanceof ApiError && error.status === 401) client.setQueryData(keys.session, null);
  };
  const client: QueryClient = new QueryClient({
    queryCache: new QueryCache({ onError: signOutOn401 }),
    mutationCache: new MutationCache({
      onError: (error, _variables, _context, mutation) => {
        if (!mutation.meta?.checksPassword) signOutOn401(error);
      },
    }),
    defaultOptions: {
      queries: {
        staleTime: 30_000,
        refetchOnWindowFocus: false,
        retry: (count, error) => !(error instanceof ApiError && error.status >= 400 && error.status < 500) && count < 2,
      },
    },
  });
  return client;
}
