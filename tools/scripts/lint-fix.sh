#!/usr/bin/env bash
# Rewrites the tree to the lint gate's rules: `prettier --write`, then `eslint --fix`, then the
# gate itself, which lists what still needs a hand fix. Run once after a merge, on a clean work
# tree, and commit the result on its own (a formatting-only commit is easy to review and to skip
# in `git blame`: add its hash to .git-blame-ignore-revs).
set -euo pipefail
cd "$(dirname "$0")/../.."

export NX_DAEMON=false
if [ -n "$(git status --porcelain)" ]; then
  echo "lint-fix.sh: the work tree has changes; commit or stash them first" >&2
  exit 1
fi
# Type-aware rules need the generated code and every package's built declarations; building
# also leaves nx's project graph cached for @nx/enforce-module-boundaries.
npx nx run-many -t build --outputStyle=static
npx prettier --write --log-level=warn .
# What --fix cannot fix is listed by the gate below.
npx eslint --fix . >/dev/null || true
# eslint --fix can leave lines that Prettier would wrap differently.
npx prettier --write --log-level=warn .
git status --short
echo "lint-fix.sh: what is left needs a hand fix:" >&2
tools/scripts/lint.sh
