// Chat with and unload a loaded model: the same two actions on a library row and a deployment row.
import { href } from '../../lib/router.js';
import { unloadRequested } from './actions.js';

/** `chatAs`: the name to chat with (null: not a chat model, no Chat link). */
export function LoadedActions({ chatAs, instanceId }: { chatAs: string | null; instanceId: string }) {
  return (
    <>
      {chatAs !== null && (
        <a className="btn small" href={href('chat', { model: chatAs })}>
          Chat
        </a>
      )}
      <button type="button" className="btn small" onClick={() => void unloadRequested(instanceId)}>
        Unload
      </button>
    </>
  );
}
