/**
 * `flotilla token create [--ttl 24h] [--description …] [--print-register-command]`,
 * `flotilla token list` and `flotilla token delete TOKEN|ID` (`karmadactl token`): bootstrap
 * tokens on the control plane the state directory's `karmada-apiserver.config` reaches. With
 * `--print-register-command`, `create` prints the `flotilla register` line to run beside the
 * member, with the control plane's server and the hash of its CA.
 */
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { Client } from '../client/client.ts';
import { kubeConfigFromFile } from '../client/kubeconfig.ts';
import {
  createBootstrapToken,
  deleteBootstrapToken,
  listBootstrapTokens,
  registerCommand,
} from '../controlplane/bootstrap-tokens.ts';
import { caCertHash } from '../pki/index.ts';
import type { PullCommandContext } from './agent.ts';
import { CliError } from './errors.ts';
import { addFlags, type FlagName, readFlags } from './flags.ts';
import { readKubeconfig } from './kubeconfig.ts';
import type { StatePaths } from './state-dir.ts';
import { formatTable } from './table.ts';

const CREATE_FLAGS = [
  'stateDir',
  'ttl',
  'description',
  'printRegisterCommand',
] as const satisfies readonly FlagName[];

async function admin<T>(paths: StatePaths, fn: (client: Client) => Promise<T>): Promise<T> {
  if (!existsSync(paths.kubeconfig)) {
    throw new CliError(`no control plane kubeconfig at ${paths.kubeconfig}; start one with flotilla up`);
  }
  const client = new Client({ kubeConfig: kubeConfigFromFile(paths.kubeconfig), timeoutMs: 15_000 });
  try {
    return await fn(client);
  } catch (err) {
    if (err instanceof CliError) throw err;
    throw new CliError('the control plane refused or did not answer', { cause: err });
  } finally {
    await client.close();
  }
}

/** Declares `token create|list|delete` on the program. */
export function registerTokenCommands(program: Command, ctx: PullCommandContext): void {
  const token = program.command('token').description('manage bootstrap tokens for registering Pull clusters');
  addFlags(token.command('create').description('create a bootstrap token'), CREATE_FLAGS).action(
    async (_opts: unknown, command: Command) => {
      const { values } = readFlags(command, CREATE_FLAGS);
      const paths = ctx.resolveStateDir(values.stateDir);
      const created = await admin(paths, (client) =>
        createBootstrapToken(client, {
          ttlMs: values.ttl,
          ...(values.description ? { description: values.description } : {}),
        }),
      );
      if (values.printRegisterCommand) {
        const kc = await readKubeconfig(paths.kubeconfig);
        if (kc.caCert === undefined) throw new CliError(`${paths.kubeconfig} has no CA to print the hash of`);
        ctx.terminal.out(registerCommand(kc.server, created.token, caCertHash(kc.caCert)));
      } else {
        ctx.terminal.out(created.token);
      }
      ctx.setExit(0);
    },
  );
  addFlags(token.command('list').description('list bootstrap tokens (ids, expiry, usage)'), [
    'stateDir',
  ]).action(async (_opts: unknown, command: Command) => {
    const paths = ctx.resolveStateDir(readFlags(command, ['stateDir']).values.stateDir);
    const tokens = await admin(paths, listBootstrapTokens);
    const rows = tokens.map((t) => [
      t.id,
      t.expiration ?? '<forever>',
      t.groups.join(',') || '<none>',
      t.description ?? '',
    ]);
    for (const line of formatTable([['ID', 'EXPIRES', 'EXTRA GROUPS', 'DESCRIPTION'], ...rows]))
      ctx.terminal.out(line);
    ctx.setExit(0);
  });
  addFlags(
    token
      .command('delete')
      .argument('<token>', 'the token or its id')
      .description('delete a bootstrap token'),
    ['stateDir'],
  ).action(async (value: string, _opts: unknown, command: Command) => {
    const paths = ctx.resolveStateDir(readFlags(command, ['stateDir']).values.stateDir);
    const deleted = await admin(paths, (client) => deleteBootstrapToken(client, value));
    if (!deleted) throw new CliError(`bootstrap token "${value.split('.')[0]}" not found`);
    ctx.terminal.out(`bootstrap token "${value.split('.')[0]}" deleted`);
    ctx.setExit(0);
  });
}
