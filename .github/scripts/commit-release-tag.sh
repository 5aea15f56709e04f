#!/usr/bin/env bash
# After `beta release`: commit the platform's stack file (Pulumi.dev.yaml), where the release
# set beta:releaseTag, to master and push it. Without this, the file in the repository keeps
# the previous tag and the next `pulumi up --stack dev` by a person rolls the release back.
#
#   npx beta release "$TAG" --report beta-release.json
#   bash .github/scripts/commit-release-tag.sh beta-release.json
#
# - Commits only when the report says the platform was updated (a failed Beta does not
#   matter: the platform runs the new tag either way), and only that one file.
# - The message, "beta release <tag> [skip ci]", starts no pipeline. (It is not the message
#   `beta release` records with its updates, "beta release <tag>", so a plain `pulumi up` at
#   this commit, which records the commit's subject, still counts as a developer's for reap.)
# - Rebases onto anything pushed to the branch meanwhile, and retries the push.
#
# Environment: BETA_PUSH_REMOTE   where to push (default origin; a URL with a token works)
#              BETA_PUSH_BRANCH   default master
set -euo pipefail

report="${1:?usage: commit-release-tag.sh <report.json written by beta release --report>}"
remote="${BETA_PUSH_REMOTE:-origin}"
branch="${BETA_PUSH_BRANCH:-master}"
say() { echo "commit-release-tag: $*"; }

if [ ! -f "$report" ]; then
  say "no report at $report: cannot tell whether the platform was updated. If it was, commit its Pulumi.<stack>.yaml by hand." >&2
  exit 1
fi
read -r result tag stack < <(node -e '
  const report = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  console.log(report.platform.result, report.releaseTag, report.platformStack.split("/").pop());' "$report")
if [ "$result" != "updated" ]; then
  say "the platform stack was not updated ($result); nothing to commit."
  exit 0
fi

file="Pulumi.$stack.yaml"
if git diff --quiet HEAD -- "$file"; then
  say "$file already sets beta:releaseTag $tag; nothing to commit."
  exit 0
fi
git config user.name >/dev/null || git config user.name "beta release"
git config user.email >/dev/null || git config user.email "beta-release@users.noreply.github.com"
git commit --quiet --only -m "beta release $tag [skip ci]" -- "$file"

for attempt in 1 2 3; do
  git fetch --quiet "$remote" "$branch"
  if ! git rebase --quiet --autostash FETCH_HEAD; then
    git rebase --abort
    say "$file changed on $branch meanwhile and does not merge; set beta:releaseTag to $tag there by hand." >&2
    exit 1
  fi
  if git push --quiet "$remote" "HEAD:refs/heads/$branch"; then
    say "committed $file (beta:releaseTag $tag) to $branch."
    exit 0
  fi
  sleep $((attempt * 5))
done
say "could not push $file to $branch; set beta:releaseTag to $tag there by hand." >&2
exit 1
