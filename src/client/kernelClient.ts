/**
 * The Node host's kernel client, shared by the extension (one per notebook), the headless runner and
 * the tests: KernelClientBase (kernelClientBase.ts) with its kernel started as a forked Node process
 * (KernelProcess) or a detached one that outlives its client, reached again after a window reload
 * (DetachedKernel). It imports no `vscode` and nothing of the kernel, so it runs in plain Node.
 */
import { DetachedKernel } from "./detachedKernel";
import { KernelClientBase, type KernelClientOptions, type ReleasableConnection } from "./kernelClientBase";
import { KernelProcess, type KernelConnection, type KernelProcessListener, type KernelProcessOptions } from "./kernelProcess";

export * from "./kernelClientBase";

export interface KernelOptions extends KernelClientOptions {
  /** Absolute path of dist/kernel.js. */
  kernelPath: string;
  /** Working directory of the kernel: the notebook's folder. */
  cwd: string;
  /** --max-old-space-size for the kernel process, in MB (absent: Node's default). */
  maxOldSpaceSizeMb?: number;
}

export class KernelClient extends KernelClientBase {
  constructor(private readonly nodeOptions: KernelOptions) {
    super(nodeOptions);
  }

  protected launch(listener: KernelProcessListener): KernelConnection {
    return new KernelProcess(this.processOptions(), listener);
  }

  protected launchDetached(listener: KernelProcessListener): ReleasableConnection {
    const detached = this.nodeOptions.detached;
    if (!detached) throw new Error("launchDetached without the detached option");
    return DetachedKernel.launch({ ...this.processOptions(), ...detached }, listener);
  }

  protected attachDetached(listener: KernelProcessListener): Promise<ReleasableConnection | undefined> {
    const detached = this.nodeOptions.detached;
    return detached ? DetachedKernel.attach(detached.key, listener, detached.dir) : Promise.resolve(undefined);
  }

  private processOptions(): KernelProcessOptions {
    const { kernelPath, cwd, maxOldSpaceSizeMb, maxOutputBytes } = this.nodeOptions;
    return {
      kernelPath,
      cwd,
      // No --enable-source-maps: the kernel maps cell frames itself (src/kernel/errors.ts) and Node's
      // remapping of the 12 MB bundle would only slow the first error down.
      execArgv: maxOldSpaceSizeMb === undefined ? [] : [`--max-old-space-size=${maxOldSpaceSizeMb}`],
      env: maxOutputBytes ? { ...process.env, RNN_NOTEBOOK_MAX_OUTPUT_BYTES: String(maxOutputBytes) } : process.env,
    };
  }
}
