/**
 * A package-lock.json for a scratch project that installs our packed tarballs, so that
 * `npm ci --offline` can install them from npm's cache alone. The repository's `npm ci` put every
 * registry tarball in that cache (keyed by integrity) but no registry metadata, which a plain
 * `npm install --offline <tarballs>` would need to resolve version ranges. So the versions and
 * integrities come from the repository's own package-lock.json, laid out as it lays them out.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';

/** One entry of a lockfile's `packages` map (the fields npm ci reads). */
interface LockEntry {
  version?: string;
  resolved?: string;
  integrity?: string;
  link?: boolean;
  dev?: boolean;
  devOptional?: boolean;
  optional?: boolean;
  peer?: boolean;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  [field: string]: unknown;
}

/** A packed workspace package: its folder in the repository and its tarball. */
export interface PackedPackage {
  readonly name: string;
  /** The workspace folder relative to the repository root, e.g. packages/server. */
  readonly workspace: string;
  readonly tarball: string;
}

/** The lock path node would load `name` from, required from the package at lock path `from` (as node resolves). */
function resolveInLock(lock: Record<string, LockEntry>, from: string, name: string): string | undefined {
  for (let dir = from; ;) {
    const candidate = dir === '' ? `node_modules/${name}` : `${dir}/node_modules/${name}`;
    if (lock[candidate]) return candidate;
    if (dir === '') return undefined;
    // Up one package (past its node_modules/ folder), or one folder for a workspace path.
    const inner = dir.lastIndexOf('/node_modules/');
    dir = inner >= 0 ? dir.slice(0, inner) : dir.includes('/') ? dir.slice(0, dir.lastIndexOf('/')) : '';
  }
}

const integrityOf = (file: string) => `sha512-${createHash('sha512').update(readFileSync(file)).digest('base64')}`;

/**
 * The lockfile (version 3) and package.json of a project at `projectDir` depending on `packed`.
 * Every registry package the packed ones need at run time is taken, with its place in the tree,
 * from `rootLockFile`; a workspace package among those dependencies must be one of `packed`.
 */
export function offlineProject(rootLockFile: string, projectDir: string, packed: readonly PackedPackage[]) {
  const rootLock = (JSON.parse(readFileSync(rootLockFile, 'utf8')) as { packages: Record<string, LockEntry> }).packages;
  const byWorkspace = new Map(packed.map((pkg) => [pkg.workspace, pkg]));
  const tarballSpec = (pkg: PackedPackage) => `file:${relative(projectDir, pkg.tarball)}`;
  /** Where a lock path of the repository lands in the scratch project: workspaces become node_modules/<name>. */
  const placed = (path: string): string => {
    for (const pkg of packed) {
      if (path === pkg.workspace || path.startsWith(`${pkg.workspace}/`))
        return `node_modules/${pkg.name}${path.slice(pkg.workspace.length)}`;
    }
    if (!path.startsWith('node_modules/')) throw new Error(`${path} is outside node_modules and not a packed workspace`);
    return path;
  };

  const packages: Record<string, LockEntry> = {};
  const visit = (path: string) => {
    const target = placed(path);
    if (packages[target]) return;
    const entry = rootLock[path]!;
    const workspace = byWorkspace.get(path);
    if (workspace) {
      // A dependency's devDependencies are not installed; only the repository's tree needed them.
      const { devDependencies, ...runtime } = stripFlags(entry);
      void devDependencies;
      packages[target] = { ...runtime, resolved: tarballSpec(workspace), integrity: integrityOf(workspace.tarball) };
    } else {
      if (entry.link) throw new Error(`${path} links to workspace ${entry.resolved}, which is not packed`);
      packages[target] = stripFlags(entry);
    }
    const optional = new Set([
      ...Object.keys(entry.optionalDependencies ?? {}),
      ...Object.entries(entry.peerDependenciesMeta ?? {})
        .filter(([, meta]) => meta.optional)
        .map(([name]) => name),
    ]);
    const wanted = [
      ...Object.keys(entry.dependencies ?? {}),
      ...Object.keys(entry.optionalDependencies ?? {}),
      ...Object.keys(entry.peerDependencies ?? {}),
    ];
    for (const name of wanted) {
      const found = resolveInLock(rootLock, path, name);
      if (found === undefined) {
        if (optional.has(name)) continue;
        throw new Error(`${path} needs ${name}, which ${rootLockFile} does not hold`);
      }
      const linked = rootLock[found]!;
      visit(linked.link ? linked.resolved! : found);
    }
  };
  for (const pkg of packed) visit(pkg.workspace);

  const dependencies = Object.fromEntries(packed.map((pkg) => [pkg.name, tarballSpec(pkg)]));
  // npm's install-script policy, as the repository's package.json sets it: better-sqlite3 builds its native module.
  const manifest = { name: 'openkms-user', version: '1.0.0', private: true, dependencies, allowScripts: { 'better-sqlite3': true } };
  const lockfile = {
    name: manifest.name,
    version: manifest.version,
    lockfileVersion: 3,
    requires: true,
    packages: { '': { name: manifest.name, version: manifest.version, dependencies }, ...packages },
  };
  return { manifest, lockfile };
}

/** A repository entry without its dev/optional flags, which describe the repository's tree and not the scratch project's. */
function stripFlags(entry: LockEntry): LockEntry {
  const { dev, devOptional, optional, peer, link, resolved, ...rest } = entry;
  void [dev, devOptional, optional, peer, link, resolved];
  return rest;
}
