// How the pipeline's Lambda shells are built: NodejsFunction bundles infra/aws/handlers/*.ts
// with the locally installed esbuild (never Docker, so `cdk synth` works offline), as ESM for
// Lambda's Node.js on x86_64. DuckDB is the one dependency esbuild cannot bundle (a native
// addon plus a 70 MB shared library), so it stays external and the after-bundling hook copies
// the installed packages, including the Linux x64 glibc binding, into the asset's node_modules.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy, Size, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const HANDLERS_DIR = join(REPO_ROOT, 'infra', 'aws', 'handlers');

/** Lambda's Node.js runtime; the binding below is built for its Linux x86_64 glibc (DuckDB needs glibc >= 2.25). */
export const RUNTIME = lambda.Runtime.NODEJS_24_X;
export const ARCHITECTURE = lambda.Architecture.X86_64;

/**
 * DuckDB's packages, in the order `@duckdb/node-api` loads them: node-bindings picks the native
 * binding by platform (`@duckdb/node-bindings-linux-x64` on Lambda, glibc per detect-libc).
 */
export const DUCKDB_PACKAGES = ['@duckdb/node-api', '@duckdb/node-bindings', '@duckdb/node-bindings-linux-x64', 'detect-libc'] as const;
/** What esbuild must leave as imports (resolved at run time from the asset's node_modules). */
export const DUCKDB_EXTERNALS = ['@duckdb/node-api', '@duckdb/node-bindings', '@duckdb/node-bindings-linux-x64'];

/**
 * Shell commands that copy DuckDB's installed packages into the bundle. They fail with a clear
 * message when the Linux x64 binding is missing (npm installs it only on Linux x64; on another
 * machine run `npm install --no-save --os=linux --cpu=x64 --libc=glibc @duckdb/node-bindings-linux-x64`).
 */
export function copyDuckDbCommands(nodeModules: string, outputDir: string): string[] {
  const binding = join(nodeModules, '@duckdb', 'node-bindings-linux-x64', 'duckdb.node');
  return [
    `test -f "${binding}" || { echo "wattlake: ${binding} is missing; the converter needs DuckDB's Linux x64 binding (see docs/deploy.md)" >&2; exit 1; }`,
    `mkdir -p "${join(outputDir, 'node_modules', '@duckdb')}"`,
    ...DUCKDB_PACKAGES.map((p) => `cp -R "${join(nodeModules, p)}" "${join(outputDir, 'node_modules', p)}"`),
  ];
}

/** esbuild options shared by every shell; `withDuckDb` adds the native packages. */
export function bundlingOptions({ withDuckDb }: { withDuckDb: boolean }): nodejs.BundlingOptions {
  return {
    format: nodejs.OutputFormat.ESM,
    target: 'node22',
    mainFields: ['module', 'main'],
    minify: true,
    sourceMap: true,
    // Bundled CommonJS dependencies may call require(); ESM has none, so give them one.
    banner: "import { createRequire as __wattlakeRequire } from 'node:module'; const require = __wattlakeRequire(import.meta.url);",
    // The AWS SDK is bundled (not taken from the runtime) so the deployed version is the tested one.
    externalModules: withDuckDb ? DUCKDB_EXTERNALS : [],
    forceDockerBundling: false,
    commandHooks: {
      beforeBundling: () => [],
      beforeInstall: () => [],
      afterBundling: (_inputDir, outputDir) => (withDuckDb ? copyDuckDbCommands(join(REPO_ROOT, 'node_modules'), outputDir) : []),
    },
  };
}

export interface PipelineFunctionProps {
  /** File name under infra/aws/handlers/, without `.ts`. */
  handler: 'transform' | 'convert' | 'compact' | 'report' | 'provision-hook';
  description: string;
  withDuckDb: boolean;
  memorySize: number;
  timeout: Duration;
  ephemeralStorageMiB?: number;
  environment?: Record<string, string>;
  logRetentionDays: number;
}

/**
 * A Lambda shell around one pipeline entry point, with its own log group (retention set) and its
 * own role, which may write only to that log group (instead of AWSLambdaBasicExecutionRole's
 * any-log-group grant).
 */
export class PipelineFunction extends Construct {
  readonly fn: nodejs.NodejsFunction;
  readonly logGroup: logs.LogGroup;
  /** The shell's source file (what esbuild bundles) and how it is bundled. */
  readonly entry: string;
  readonly bundling: nodejs.BundlingOptions;

  constructor(scope: Construct, id: string, props: PipelineFunctionProps) {
    super(scope, id);
    const entry = join(HANDLERS_DIR, `${props.handler}.ts`);
    if (!existsSync(entry)) throw new Error(`no Lambda shell at ${entry}`);
    this.entry = entry;
    this.bundling = bundlingOptions({ withDuckDb: props.withDuckDb });
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetentionDays as logs.RetentionDays,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `wattlake ${props.handler} Lambda`,
    });
    role.addToPolicy(new iam.PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [this.logGroup.logGroupArn] }));
    this.fn = new nodejs.NodejsFunction(this, 'Function', {
      role,
      entry,
      handler: 'handler',
      projectRoot: REPO_ROOT,
      depsLockFilePath: join(REPO_ROOT, 'package-lock.json'),
      runtime: RUNTIME,
      architecture: ARCHITECTURE,
      description: props.description,
      memorySize: props.memorySize,
      timeout: props.timeout,
      ephemeralStorageSize: props.ephemeralStorageMiB === undefined ? undefined : Size.mebibytes(props.ephemeralStorageMiB),
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      bundling: this.bundling,
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_SERVICE_NAME: `wattlake-${props.handler}`,
        POWERTOOLS_METRICS_NAMESPACE: 'wattlake',
        ...props.environment,
      },
    });
  }

  /**
   * The role EventBridge Scheduler assumes to invoke this function (for schedules made in
   * `scope`), accepted only from this account; `what` names the function in the cdk-nag reason.
   */
  schedulerRole(scope: Construct, description: string, what: string): iam.Role {
    const stack = Stack.of(scope);
    const role = new iam.Role(scope, 'ScheduleRole', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': stack.account } } }),
      description,
    });
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${stack.getLogicalId(this.fn.node.defaultChild as lambda.CfnFunction)}.Arn>:*]`,
      reason: `CDK grants lambda:InvokeFunction on the ${what} function and its versions/aliases (ARN suffix :*); the wildcard covers only qualifiers of this one function.`,
    });
    return role;
  }
}
