/**
 * The `flotilla` command: parses argv with commander, resolves the state directory (flag,
 * `FLOTILLA_HOME`, or `.flotilla/` in the working directory), routes logs to DIR/flotilla.log and
 * human lines to the terminal, owns signals and the exit code. The only module that reads
 * `process.argv` and `process.env`; everything it runs lives in `src/cli/`.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Command, CommanderError } from 'commander';
import pkg from '../../package.json' with { type: 'json' };
import { registerPullCommands } from '../cli/agent.ts';
import { CONTROLLER_TUNING_FLAGS, controllerTuning } from '../cli/controller-tuning.ts';
import { registerControllersCommand } from '../cli/controllers.ts';
import { registerDashboardCommand } from '../cli/dashboard.ts';
import { runDetached } from '../cli/detach.ts';
import { runDown } from '../cli/down.ts';
import { exitCodeOf, oneLine, type Terminal, UsageError } from '../cli/errors.ts';
import { addFlags, type FlagName, readFlags, storeUrl } from '../cli/flags.ts';
import { registerGatewayCommand } from '../cli/gateway.ts';
import { registerInspectCommands } from '../cli/inspect.ts';
import { registerJoinCommands } from '../cli/join.ts';
import { startLocalClusterCommand } from '../cli/localcluster.ts';
import { registerMeshCommand } from '../cli/mesh.ts';
import { type StatePaths, statePaths } from '../cli/state-dir.ts';
import { registerTaintCommands } from '../cli/taint-commands.ts';
import { checkUpFlags, pullMembers, type RunningUp, startUp } from '../cli/up.ts';
import { createLogger, type Logger } from '../log/index.ts';

const terminal: Terminal = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

let logger: Logger | undefined;
let logPath: string | undefined;

function resolveStateDir(flag: string | undefined): StatePaths {
  return statePaths(resolve(flag ?? process.env.FLOTILLA_HOME ?? '.flotilla'));
}

function openLog(paths: StatePaths, file = paths.log): Logger {
  mkdirSync(paths.dir, { recursive: true, mode: 0o700 });
  logPath = file;
  logger = createLogger({
    name: 'flotilla',
    destination: file,
    level: process.env.FLOTILLA_LOG_LEVEL ?? 'info',
  });
  return logger;
}

async function flushLog(): Promise<void> {
  const current = logger;
  if (current === undefined) return;
  await new Promise<void>((done) => {
    const timer = setTimeout(done, 1_000);
    current.flush(() => {
      clearTimeout(timer);
      done();
    });
  });
}

/**
 * Catches SIGINT/SIGTERM from the moment it is called, so a signal that arrives while the system
 * is still starting (or right after its ready line) is not lost. `until(running)` resolves with
 * the exit code once a signal stopped `running`; a second signal exits at once.
 */
function catchSignals(): { until(running: Pick<RunningUp, 'close'>): Promise<number> } {
  let received: NodeJS.Signals | undefined;
  let stop: ((signal: NodeJS.Signals) => void) | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    if (received) {
      terminal.err(`flotilla: ${signal} again, exiting without cleanup`);
      process.exit(130);
    }
    received = signal;
    stop?.(signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    until(running) {
      return new Promise((resolveExit) => {
        stop = (signal) => {
          terminal.out(`flotilla: ${signal}, shutting down`);
          logger?.info({ signal }, 'shutting down');
          running.close().then(
            () => resolveExit(0),
            (err: unknown) => {
              logger?.error({ err }, 'shutdown failed');
              resolveExit(1);
            },
          );
        };
        if (received) stop(received);
      });
    },
  };
}

const UP_FLAGS = [
  'stateDir',
  'members',
  'pull',
  'port',
  'gatewayPort',
  'dashboardPort',
  'store',
  'runtime',
  'demo',
  'detach',
  ...CONTROLLER_TUNING_FLAGS,
] as const satisfies readonly FlagName[];
const LOCALCLUSTER_FLAGS = [
  'name',
  'index',
  'stateDir',
  'host',
  'port',
  'runtime',
  'store',
] as const satisfies readonly FlagName[];
const APISERVER_FLAGS = [
  'store',
  'host',
  'port',
  'stateDir',
  'insecureHttp',
] as const satisfies readonly FlagName[];

async function up(command: Command): Promise<number> {
  const { values, given } = readFlags(command, UP_FLAGS);
  checkUpFlags(values, given);
  const paths = resolveStateDir(values.stateDir);
  if (values.detach) {
    // The same command line minus --detach, with the state dir made absolute.
    const args: string[] = [];
    const argv = process.argv.slice(2);
    for (let i = 0; i < argv.length; i++) {
      const arg = argv[i] ?? '';
      if (arg === '--state-dir') i++;
      else if (arg !== '--detach' && !arg.startsWith('--state-dir=')) args.push(arg);
    }
    return runDetached({
      paths,
      terminal,
      command: process.execPath,
      args: [...process.execArgv, process.argv[1] ?? '', ...args, '--state-dir', paths.dir],
      cwd: process.cwd(),
      env: process.env,
      // The demo waits for Bookinfo's pods in both members as well.
      ...(values.demo ? { timeoutMs: 300_000 } : {}),
      demo: values.demo !== undefined,
    });
  }
  const log = openLog(paths);
  log.info({ argv: process.argv.slice(2), stateDir: paths.dir }, 'flotilla up');
  const signals = catchSignals();
  const running = await startUp({
    paths,
    storeUrl: storeUrl(values.store, paths.dir),
    host: '127.0.0.1',
    port: values.port,
    ownStateDir: true,
    logger: log,
    terminal,
    members: values.members,
    runtime: values.runtime,
    federate: true,
    controllers: controllerTuning(values),
    pull: pullMembers(values, given),
    demo: values.demo,
    dashboardPort: values.dashboardPort,
    dashboardPortGiven: given.has('dashboardPort'),
    gatewayPort: values.gatewayPort,
    gatewayPortGiven: given.has('gatewayPort'),
  });
  return signals.until(running);
}

async function localcluster(command: Command): Promise<number> {
  const { values, given } = readFlags(command, LOCALCLUSTER_FLAGS);
  if (!given.has('name')) throw new UsageError('localcluster needs --name NAME');
  const paths = resolveStateDir(values.stateDir);
  const log = openLog(paths, join(paths.dir, `${values.name}.log`));
  log.info({ argv: process.argv.slice(2), stateDir: paths.dir }, 'flotilla localcluster');
  const signals = catchSignals();
  const running = await startLocalClusterCommand({
    paths,
    name: values.name,
    index: values.index,
    host: values.host,
    port: values.port,
    runtime: values.runtime,
    store: values.store,
    logger: log,
    terminal,
  });
  return signals.until(running);
}

async function apiserver(command: Command): Promise<number> {
  const { values } = readFlags(command, APISERVER_FLAGS);
  const paths = resolveStateDir(values.stateDir);
  const log = openLog(paths);
  log.info({ argv: process.argv.slice(2), stateDir: paths.dir }, 'flotilla apiserver');
  const signals = catchSignals();
  const running = await startUp({
    paths,
    storeUrl: storeUrl(values.store, paths.dir),
    host: values.host,
    port: values.port,
    insecureHttp: values.insecureHttp,
    ownStateDir: false,
    logger: log,
    terminal,
  });
  return signals.until(running);
}

function buildProgram(setExit: (code: number) => void): Command {
  const program = new Command('flotilla')
    .description('Run applications across many Kubernetes clusters from one control plane.')
    .exitOverride()
    .configureOutput({ outputError: () => {} })
    .showSuggestionAfterError(true);
  const action = (run: (command: Command) => Promise<number>) => async (_opts: unknown, command: Command) => {
    setExit(await run(command));
  };

  addFlags(
    program.command('up').description('start the control plane and local member clusters'),
    UP_FLAGS,
  ).action(action(up));
  addFlags(
    program
      .command('localcluster')
      .description('run one local member cluster (API server, controllers, kubelet)'),
    LOCALCLUSTER_FLAGS,
  ).action(action(localcluster));
  addFlags(program.command('down').description('stop what flotilla up started'), ['stateDir']).action(
    action((command) =>
      runDown({ paths: resolveStateDir(readFlags(command, ['stateDir']).values.stateDir), terminal }),
    ),
  );
  addFlags(program.command('apiserver').description('run the API server alone'), APISERVER_FLAGS).action(
    action(apiserver),
  );
  registerJoinCommands(program, { resolveStateDir, terminal, setExit });
  registerInspectCommands(program, { resolveStateDir, terminal, setExit });
  registerTaintCommands(program, { resolveStateDir, terminal, setExit });
  registerControllersCommand(program, {
    resolveStateDir,
    openLog: (paths) => openLog(paths, join(paths.dir, 'controllers.log')),
    untilSignal: (running) => catchSignals().until(running),
    terminal,
    setExit,
  });
  registerDashboardCommand(program, {
    resolveStateDir,
    openLog: (paths) => openLog(paths, join(paths.dir, 'dashboard.log')),
    untilSignal: (running) => catchSignals().until(running),
    terminal,
    setExit,
  });
  registerMeshCommand(program, {
    resolveStateDir,
    openLog,
    untilSignal: (running) => catchSignals().until(running),
    terminal,
    setExit,
  });
  registerGatewayCommand(program, {
    resolveStateDir,
    terminalLogger: () => {
      logger = createLogger({ name: 'flotilla-gateway', level: process.env.FLOTILLA_LOG_LEVEL ?? 'info' });
      return logger;
    },
    untilSignal: (running) => catchSignals().until(running),
    terminal,
    setExit,
  });
  registerPullCommands(program, {
    resolveStateDir,
    openLog,
    untilSignal: (running) => catchSignals().until(running),
    terminal,
    setExit,
  });
  program
    .command('version')
    .description('print the version')
    .action(() => {
      terminal.out(`flotilla ${pkg.version} (node ${process.version})`);
    });
  return program;
}

async function main(argv: readonly string[]): Promise<number> {
  let code = 0;
  const program = buildProgram((c) => {
    code = c;
  });
  if (argv.length === 0) {
    terminal.err(program.helpInformation().trimEnd());
    return 2;
  }
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.exitCode === 0) return 0;
      terminal.err(`flotilla: ${oneLine(err.message.replace(/^error: /, ''))}`);
      return 2;
    }
    throw err;
  }
  return code;
}

function fail(err: unknown): void {
  logger?.error({ err }, 'flotilla failed');
  const hint = logPath && exitCodeOf(err) !== 2 ? ` (details in ${logPath})` : '';
  terminal.err(`flotilla: ${oneLine(err)}${hint}`);
}

async function exit(code: number): Promise<never> {
  await flushLog();
  process.exit(code);
}

// Node's warnings (e.g. node:sqlite being experimental) go to the log, not the user's terminal.
process.removeAllListeners('warning');
process.on('warning', (warning) => {
  logger?.warn({ warning: warning.name }, warning.message);
});

process.on('uncaughtException', (err) => {
  fail(new Error('internal error', { cause: err }));
  void exit(1);
});
process.on('unhandledRejection', (err) => {
  fail(new Error('internal error', { cause: err }));
  void exit(1);
});

main(process.argv.slice(2)).then(
  (code) => exit(code),
  (err: unknown) => {
    fail(err);
    return exit(exitCodeOf(err));
  },
);
