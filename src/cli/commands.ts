// The list of sub-commands, in the order `anchord --help` shows them.

import type { CommandModule } from './command.js';
import { demoCommand } from './commands/demo.js';
import { dsfromkeyCommand } from './commands/dsfromkey.js';
import { keygenCommand } from './commands/keygen.js';
import { replayCommand } from './commands/replay.js';
import { revokeCommand } from './commands/revoke.js';
import { serveAuthCommand } from './commands/serve-auth.js';
import { serveCommand } from './commands/serve.js';
import { signzoneCommand } from './commands/signzone.js';
import { trustAnchorsCommand } from './commands/trust-anchors.js';
import { verifyZoneCommand } from './commands/verify-zone.js';

export const commands: readonly CommandModule[] = [serveCommand, verifyZoneCommand, keygenCommand, signzoneCommand, revokeCommand, dsfromkeyCommand, serveAuthCommand, replayCommand, demoCommand, trustAnchorsCommand];
