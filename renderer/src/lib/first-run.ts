// Remembers first-run milestones the core does not record (the first chat, the first-run screen put
// away), in local storage.
const FIRST_CHAT = 'llama-orch.firstChatAt';
const DISMISSED = 'llama-orch.firstRunDismissedAt';

function remember(key: string): void {
  try {
    if (!localStorage.getItem(key)) localStorage.setItem(key, new Date().toISOString());
  } catch {
    // ignore: the checklist just keeps the step open
  }
}

function recalled(key: string): boolean {
  try {
    return localStorage.getItem(key) !== null;
  } catch {
    return false;
  }
}

export const markFirstChat = (): void => remember(FIRST_CHAT);
export const hadFirstChat = (): boolean => recalled(FIRST_CHAT);
export const markFirstRunDismissed = (): void => remember(DISMISSED);
export const firstRunDismissed = (): boolean => recalled(DISMISSED);
