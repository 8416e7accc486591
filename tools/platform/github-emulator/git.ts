// Git object ids computed the way git computes them, so the blob, tree and commit shas the emulator hands out are the ones a clone of the same history would show.
import { createHash } from "node:crypto";

export interface GitPerson {
  name: string;
  email: string;
  /** ISO 8601, seconds precision, UTC. */
  date: string;
}

function objectSha(type: "blob" | "tree" | "commit", body: Buffer): string {
  return createHash("sha1").update(`${type} ${body.length}\0`).update(body).digest("hex");
}

/** `git hash-object` of a file's bytes: the `sha` the contents API reports and expects back on update and delete. */
export function blobSha(content: Buffer): string {
  return objectSha("blob", content);
}

interface TreeNode {
  files: Map<string, string>;
  dirs: Map<string, TreeNode>;
}

function buildTree(files: Record<string, string>): TreeNode {
  const root: TreeNode = { files: new Map(), dirs: new Map() };
  for (const [path, sha] of Object.entries(files)) {
    const parts = path.split("/");
    const name = parts.pop() ?? path;
    let node = root;
    for (const part of parts) {
      let next = node.dirs.get(part);
      if (!next) {
        next = { files: new Map(), dirs: new Map() };
        node.dirs.set(part, next);
      }
      node = next;
    }
    node.files.set(name, sha);
  }
  return root;
}

function hashTree(node: TreeNode): string {
  // git orders entries byte-wise with a directory compared as if its name ended in "/".
  const entries: { key: string; mode: string; name: string; sha: string }[] = [];
  for (const [name, sha] of node.files) entries.push({ key: name, mode: "100644", name, sha });
  for (const [name, child] of node.dirs) entries.push({ key: `${name}/`, mode: "40000", name, sha: hashTree(child) });
  entries.sort((a, b) => Buffer.compare(Buffer.from(a.key), Buffer.from(b.key)));
  const body = Buffer.concat(
    entries.map((e) => Buffer.concat([Buffer.from(`${e.mode} ${e.name}\0`), Buffer.from(e.sha, "hex")])),
  );
  return objectSha("tree", body);
}

/** The root tree id of a snapshot given as path → blob sha; an empty snapshot is git's empty tree 4b825dc…. */
export function treeSha(files: Record<string, string>): string {
  return hashTree(buildTree(files));
}

function signature(p: GitPerson): string {
  return `${p.name} <${p.email}> ${Math.floor(Date.parse(p.date) / 1000)} +0000`;
}

export function commitSha(c: {
  tree: string;
  parents: string[];
  author: GitPerson;
  committer: GitPerson;
  message: string;
}): string {
  const lines = [`tree ${c.tree}`, ...c.parents.map((p) => `parent ${p}`)];
  lines.push(`author ${signature(c.author)}`, `committer ${signature(c.committer)}`, "", c.message);
  return objectSha("commit", Buffer.from(lines.join("\n"), "utf8"));
}

/** GitHub's contents API wraps base64 at 60 characters a line, with a trailing newline. */
export function wrappedBase64(content: Buffer): string {
  const b64 = content.toString("base64");
  if (b64 === "") return "";
  return `${b64.replace(/.{60}/g, "$&\n").replace(/\n$/, "")}\n`;
}

function lines(content: Buffer | null): string[] {
  if (content === null || content.length === 0) return [];
  return content.toString("utf8").replace(/\n$/, "").split("\n");
}

/** Added and deleted line counts the way a commit's `files[]` reports them, from a multiset difference of lines. */
export function lineStats(before: Buffer | null, after: Buffer | null): { additions: number; deletions: number } {
  const remaining = new Map<string, number>();
  for (const l of lines(before)) remaining.set(l, (remaining.get(l) ?? 0) + 1);
  let additions = 0;
  for (const l of lines(after)) {
    const n = remaining.get(l) ?? 0;
    if (n > 0) remaining.set(l, n - 1);
    else additions += 1;
  }
  let deletions = 0;
  for (const n of remaining.values()) deletions += n;
  return { additions, deletions };
}
