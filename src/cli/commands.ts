// The list of sub-commands, in the order `anchord --help` shows them.

import type { CommandModule } from './command.js';
import { verifyZoneCommand } from './commands/verify-zone.js';

export const commands: readonly CommandModule[] = [verifyZoneCommand];
