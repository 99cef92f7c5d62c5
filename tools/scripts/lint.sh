#!/usr/bin/env bash
# The workspace's lint gate, run by `nx run openkms:lint` (and so by `npm test`): ESLint, then
# `prettier --check`. Both always run, so one pass lists every violation; either failing fails.
#
# Run it through nx, not by hand: @nx/enforce-module-boundaries reads the project graph nx
# caches before it runs a task (a plain `eslint .` on a fresh clone skips that rule).
set -uo pipefail
cd "$(dirname "$0")/../.."

status=0
npx eslint --max-warnings=0 . || status=1
npx prettier --check . || status=1
exit "$status"
