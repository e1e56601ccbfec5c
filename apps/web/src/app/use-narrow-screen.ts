import { useMantineTheme } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';

/**
 * Whether the window is narrower than Mantine's `sm` breakpoint (a phone): the inbox then shows
 * the list or the open moment, not both, and the header folds its controls into one menu.
 * Read on the first render, so a phone never flashes the desktop layout.
 */
export function useNarrowScreen(): boolean {
  const { breakpoints } = useMantineTheme();
  return useMediaQuery(`(max-width: ${breakpoints.sm})`, false, { getInitialValueInEffect: false });
}
