import { useLocalStorage } from '@mantine/hooks';
import { createContext, useContext, type ReactNode } from 'react';

type Scope = { readonly businessUnitId: string | null; readonly setBusinessUnitId: (id: string | null) => void };
const BusinessUnitScope = createContext<Scope>({ businessUnitId: null, setBusinessUnitId: () => undefined });

/** The header's business-unit switcher: every list narrows to it; remembered on this browser, per workspace. */
export function BusinessUnitScopeProvider({ workspaceId, children }: { readonly workspaceId: string; readonly children: ReactNode }) {
  const [businessUnitId, setBusinessUnitId] = useLocalStorage<string | null>({ key: `touchpoint.businessUnit.${workspaceId}`, defaultValue: null });
  return <BusinessUnitScope.Provider value={{ businessUnitId, setBusinessUnitId }}>{children}</BusinessUnitScope.Provider>;
}

export const useBusinessUnitScope = () => useContext(BusinessUnitScope);
