/**
 * `flotilla register SERVER --token T --cluster-name NAME --kubeconfig MEMBER.config
 * [--discovery-token-ca-cert-hash sha256:…] [--write-only]` (`karmadactl register`): checks the
 * member answers, discovers the control plane's CA and checks its hash, trades the bootstrap
 * token for the agent's client certificate (a CSR the control plane approves and signs),
 * writes `DIR/agent-<cluster>.config`, then runs the agent in the foreground — or, with
 * `--write-only`, prints the `flotilla agent` command that runs it.
 */
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { BootstrapError, discoverCa, requestAgentCertificate } from '../agent/bootstrap.ts';
import { checkClusterName } from '../agent/index.ts';
import { writeAgentKubeconfig } from '../agent/kubeconfig.ts';
import { BOOTSTRAP_TOKEN_PATTERN } from '../api/karmada/agent.ts';
import { Client } from '../client/client.ts';
import { kubeConfigFromFile } from '../client/kubeconfig.ts';
import { resources } from '../client/resources.ts';
import { agentFiles, type PullCommandContext, runAgent } from './agent.ts';
import { CliError, UsageError } from './errors.ts';
import { addFlags, type FlagName, readFlags } from './flags.ts';

const REGISTER_FLAGS = [
  'stateDir',
  'token',
  'clusterName',
  'kubeconfig',
  'discoveryTokenCaCertHash',
  'discoveryTokenUnsafeSkipCaVerification',
  'clusterProvider',
  'clusterRegion',
  'clusterZones',
  'writeOnly',
] as const satisfies readonly FlagName[];

function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replaceAll("'", "'\\''")}'`;
}

async function checkMember(path: string): Promise<void> {
  const client = new Client({ kubeConfig: kubeConfigFromFile(path), timeoutMs: 10_000 });
  try {
    await client.get(resources.namespaces, { name: 'kube-system' });
  } catch (err) {
    throw new CliError(`cannot reach the member cluster at ${client.server}`, { cause: err });
  } finally {
    await client.close();
  }
}

/** Declares `register` on the program. */
export function registerRegisterCommand(program: Command, ctx: PullCommandContext): void {
  addFlags(
    program
      .command('register')
      .argument('<server>', "the control plane's API server, e.g. https://10.0.0.1:5443")
      .description('register a member cluster in Pull mode with a bootstrap token and run its agent'),
    REGISTER_FLAGS,
  ).action(async (server: string, _opts: unknown, command: Command) => {
    const { values } = readFlags(command, REGISTER_FLAGS);
    if (!/^https:\/\/[^/\s]+\/?$/.test(server))
      throw new UsageError(`server must be https://HOST:PORT, got "${server}"`);
    if (values.token === undefined)
      throw new UsageError('register needs --token (from flotilla token create)');
    if (!BOOTSTRAP_TOKEN_PATTERN.test(values.token))
      throw new UsageError('--token must look like abcdef.0123456789abcdef ([a-z0-9]{6}.[a-z0-9]{16})');
    if (values.clusterName === undefined) throw new UsageError('register needs --cluster-name NAME');
    if (values.kubeconfig === undefined) throw new UsageError('register needs --kubeconfig MEMBER.config');
    try {
      checkClusterName(values.clusterName);
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    if (!existsSync(values.kubeconfig))
      throw new UsageError(`--kubeconfig ${values.kubeconfig} does not exist`);
    const paths = ctx.resolveStateDir(values.stateDir);
    const cluster = values.clusterName;
    const url = server.replace(/\/+$/, '');
    await checkMember(values.kubeconfig);
    let ca: string;
    let issued: Awaited<ReturnType<typeof requestAgentCertificate>>;
    try {
      ca = await discoverCa({
        server: url,
        caCertHash: values.discoveryTokenCaCertHash,
        unsafeSkipCaVerification: values.discoveryTokenUnsafeSkipCaVerification,
      });
      issued = await requestAgentCertificate({ server: url, ca, token: values.token, cluster });
    } catch (err) {
      if (err instanceof BootstrapError) throw new CliError(err.message, { cause: err.cause });
      throw new CliError(`bootstrapping the agent of cluster ${cluster} failed`, { cause: err });
    }
    const files = agentFiles(paths.dir, cluster);
    await writeAgentKubeconfig(files.config, {
      cluster,
      server: url,
      ca,
      cert: issued.cert,
      key: issued.key,
    });
    ctx.terminal.out(
      `agent credentials of cluster(${cluster}) written to ${files.config} (user system:karmada:agent:${cluster})`,
    );
    if (values.writeOnly) {
      const args = [
        'flotilla agent',
        `--kubeconfig ${shellQuote(values.kubeconfig)}`,
        `--karmada-kubeconfig ${shellQuote(files.config)}`,
        `--cluster-name ${cluster}`,
        ...(values.clusterProvider ? [`--cluster-provider ${shellQuote(values.clusterProvider)}`] : []),
        ...(values.clusterRegion ? [`--cluster-region ${shellQuote(values.clusterRegion)}`] : []),
        ...(values.clusterZones.length > 0 ? [`--cluster-zones ${values.clusterZones.join(',')}`] : []),
        ...(values.stateDir ? [`--state-dir ${shellQuote(paths.dir)}`] : []),
      ];
      ctx.terminal.out(`run the agent with: ${args.join(' ')}`);
      ctx.setExit(0);
      return;
    }
    ctx.setExit(
      await runAgent({
        paths,
        cluster,
        memberKubeconfig: values.kubeconfig,
        karmadaKubeconfig: files.config,
        provider: values.clusterProvider,
        region: values.clusterRegion,
        zones: values.clusterZones,
        ctx,
        readyLine: `cluster(${cluster}) is registered successfully; its agent runs in the foreground (Ctrl-C stops it)`,
      }),
    );
  });
}
