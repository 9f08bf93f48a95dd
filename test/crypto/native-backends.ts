// The native verify backend for tests that run every backend side by side: present when the
// addon is built (test/crypto/native-addon.test.ts fails where it could be built and is not).
import type { CryptoBackend } from '../../src/crypto/backend.js';
import { createNativeBackend } from '../../src/crypto/native-backend.js';

/** [native] when the addon loaded, else []. */
export function nativeBackends(): CryptoBackend[] {
  const made = createNativeBackend();
  return 'backend' in made ? [made.backend] : [];
}
