// Remembers first-run milestones the core does not record (the first chat), in local storage.
const KEY = 'llama-orch.firstChatAt';

export function markFirstChat(): void {
  try {
    if (!localStorage.getItem(KEY)) localStorage.setItem(KEY, new Date().toISOString());
  } catch {
    // ignore: the checklist just keeps the step open
  }
}

export function hadFirstChat(): boolean {
  try {
    return localStorage.getItem(KEY) !== null;
  } catch {
    return false;
  }
}
