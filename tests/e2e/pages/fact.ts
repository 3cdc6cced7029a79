import type { Locator, Page } from '@playwright/test';

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The value (<dd>, role definition) shown for a label (<dt>, role term). Browsers give a
 * definition no accessible name of its own, so the label is found by role and exact text and
 * its value is the definition that follows it.
 */
export function factValue(scope: Page | Locator, label: string): Locator {
  return scope
    .getByRole('term')
    .filter({ hasText: new RegExp(`^${escapeRegExp(label)}$`) })
    .locator('xpath=following-sibling::dd[1]');
}
