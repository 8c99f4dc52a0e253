// Talking to the dashboard server: the bearer token (from the URL fragment, kept in
// sessionStorage), JSON requests, and the Server-Sent Events stream. EventSource cannot send an
// Authorization header, so the stream is read with fetch and parsed here.

const TOKEN_KEY = 'flotilla.token';

/**
 * Takes a `#token=…` fragment into sessionStorage (and out of the address bar); returns the
 * token to use, if any.
 * @returns {string | undefined}
 */
export function takeToken() {
  const m = /^#token=([^&]*)/.exec(location.hash);
  if (m) {
    const token = decodeURIComponent(m[1] ?? '');
    sessionStorage.setItem(TOKEN_KEY, token);
    history.replaceState(null, '', `${location.pathname}#/clusters`);
    return token;
  }
  return sessionStorage.getItem(TOKEN_KEY) ?? undefined;
}

/** @param {string} token */
export function saveToken(token) {
  sessionStorage.setItem(TOKEN_KEY, token);
}

export function forgetToken() {
  sessionStorage.removeItem(TOKEN_KEY);
}

/** An error answer from the server: a Kubernetes Status. */
export class ApiError extends Error {
  /**
   * @param {number} code
   * @param {string} message
   */
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

/**
 * GET a JSON document from the dashboard's API.
 * @param {string} token
 * @param {string} path
 * @param {AbortSignal} [signal]
 * @returns {Promise<any>}
 */
export async function getJson(token, path, signal) {
  const res = await fetch(path, {
    headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
    cache: 'no-store',
    ...(signal ? { signal } : {}),
  });
  const body = await res.json().catch(() => undefined);
  if (!res.ok) throw new ApiError(res.status, body?.message ?? `${path} answered ${res.status}`);
  return body;
}

/**
 * @typedef {{ state: 'connecting' | 'live' | 'reconnecting' | 'unauthorized', message?: string }} StreamState
 */

/**
 * Reads `/api/events` until `stop` is called, reconnecting after failures; calls `onEvent` with
 * each event's name and parsed data and `onState` when the connection changes.
 * @param {string} token
 * @param {(name: string, data: any) => void} onEvent
 * @param {(state: StreamState) => void} onState
 * @returns {{ stop(): void }}
 */
export function subscribe(token, onEvent, onState) {
  let stopped = false;
  /** @type {AbortController | undefined} */
  let current;
  const run = async () => {
    while (!stopped) {
      current = new AbortController();
      onState({ state: 'connecting' });
      try {
        const res = await fetch('/api/events', {
          headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' },
          cache: 'no-store',
          signal: current.signal,
        });
        if (res.status === 401 || res.status === 403) {
          const body = await res.json().catch(() => undefined);
          onState({ state: 'unauthorized', message: body?.message ?? `the server answered ${res.status}` });
          return;
        }
        if (!res.ok || !res.body) throw new Error(`the event stream answered ${res.status}`);
        onState({ state: 'live' });
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value;
          let end = buffer.indexOf('\n\n');
          while (end >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            let name = 'message';
            let data = '';
            for (const line of block.split('\n')) {
              if (line.startsWith('event: ')) name = line.slice(7);
              else if (line.startsWith('data: ')) data += line.slice(6);
            }
            if (data !== '') {
              if (name === 'unauthorized') {
                onState({ state: 'unauthorized', message: JSON.parse(data).message });
                return;
              }
              onEvent(name, JSON.parse(data));
            }
            end = buffer.indexOf('\n\n');
          }
        }
      } catch {
        // Network errors and aborted reads end here; the loop reconnects unless stopped.
      }
      if (stopped) return;
      onState({ state: 'reconnecting' });
      await new Promise((r) => setTimeout(r, 2000));
    }
  };
  run();
  return {
    stop() {
      stopped = true;
      current?.abort();
    },
  };
}
