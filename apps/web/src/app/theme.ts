import { createTheme, Modal, type CSSVariablesResolver } from '@mantine/core';

/** One theme: spacing, radius and type come from here, never from ad-hoc values in screens. */
export const theme = createTheme({
  primaryColor: 'blue',
  // Shade 8: white text on primary buttons meets WCAG AA (4.5:1); shade 6 does not.
  primaryShade: { light: 8, dark: 8 },
  defaultRadius: 'md',
  fontFamily: 'Inter, system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
  headings: { fontWeight: '650' },
  // Keyboard users must always see where they are.
  focusRing: 'auto',
  cursorType: 'pointer',
  components: {
    // Screen readers name the dialogs' × button.
    Modal: Modal.extend({ defaultProps: { closeButtonProps: { 'aria-label': 'Close' } } }),
  },
});

// Filled buttons and badges with white text: Mantine's shade 6-8 of these is below 4.5:1.
const FILLED = {
  '--mantine-color-teal-filled': 'var(--mantine-color-teal-9)',
  '--mantine-color-red-filled': 'var(--mantine-color-red-9)',
  '--mantine-color-orange-filled': '#b8440b',
};

const LIGHT_TINTED = ['blue', 'teal', 'red', 'orange', 'yellow', 'grape', 'violet', 'gray', 'cyan'];

/**
 * Colours that meet WCAG AA contrast (axe-core checks them in the e2e journeys): Mantine's
 * dimmed grey, its light badges' tints and a few filled colours are below 4.5:1 on small text.
 */
export const cssVariablesResolver: CSSVariablesResolver = () => ({
  variables: {},
  light: {
    '--mantine-color-dimmed': 'var(--mantine-color-gray-7)',
    ...Object.fromEntries(LIGHT_TINTED.map((c) => [`--mantine-color-${c}-light`, `var(--mantine-color-${c}-0)`])),
    ...FILLED,
    '--mantine-color-orange-light-color': '#a33a00',
    '--mantine-color-yellow-light-color': '#8a5100',
  },
  // Dark: Mantine's dimmed grey (dark-2) on the dark body is about 4.2:1; dark-1 is above 7:1.
  dark: {
    ...FILLED,
    '--mantine-color-dimmed': 'var(--mantine-color-dark-1)',
    '--mantine-color-placeholder': 'var(--mantine-color-dark-2)',
  },
});
