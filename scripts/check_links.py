#!/usr/bin/env python3
"""Checks that the documentation points only inside the repository.

Usage: scripts/check_links.py [REPO_ROOT]   (default: the parent of this script's folder)

Reads README.md and docs/**/*.md and fails (exit 1), listing file:line and the target, when
  - a relative markdown link [text](target), ![alt](target) or [ref]: target names a file or
    folder that does not exist, or a #fragment that is no heading of the target page;
  - an inline code span names a repository path (a word whose first component is a top-level
    file or folder of the repository, e.g. `docs/cli.md`, `bench/compare.sh`) that does not exist;
  - any line mentions `shared/` (the authors' working folder, which a clone does not have).
Links with a scheme (https:, mailto:) are not fetched. Fenced code blocks are skipped, except
for the `shared/` check. Code-span paths with placeholders (<lab>, *, …) are skipped; braces
are expanded: `include/nnlab/{core,nn}` checks both folders.
"""
import os
import re
import sys
import unicodedata

LINK = re.compile(r"(?<!\\)!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
REFERENCE = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+.*)?$")
CODE_SPAN = re.compile(r"(`+)(.+?)\1")
FENCE = re.compile(r"^\s{0,3}(```|~~~)")
HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$")
SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
PLACEHOLDER = re.compile(r"[<>*?…$%|\\]|\.\.\.")


def markdown_files(root):
    files = [os.path.join(root, "README.md")]
    for folder, _, names in os.walk(os.path.join(root, "docs")):
        files += [os.path.join(folder, n) for n in names if n.endswith(".md")]
    return sorted(f for f in files if os.path.isfile(f))


def lines_outside_fences(text):
    """(line number, line) for every line outside fenced code blocks."""
    fence = None
    for number, line in enumerate(text.splitlines(), 1):
        m = FENCE.match(line)
        if m:
            if fence is None:
                fence = m.group(1)
            elif m.group(1) == fence:
                fence = None
            continue
        if fence is None:
            yield number, line


def slug(heading):
    """GitHub's anchor for a heading: lower case, markup and punctuation dropped, spaces → '-'."""
    text = re.sub(r"`([^`]*)`", r"\1", heading)
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"[*_~]", "", text).strip().lower()
    out = []
    for ch in text:
        if ch == " " or ch == "-":
            out.append("-")
        elif ch.isalnum() or unicodedata.category(ch).startswith("M"):
            out.append(ch)
    return "".join(out)


def anchors(path, cache={}):
    if path not in cache:
        seen, result = {}, set()
        with open(path, encoding="utf-8") as f:
            for _, line in lines_outside_fences(f.read()):
                m = HEADING.match(line)
                if m:
                    base = slug(m.group(1))
                    n = seen.get(base, 0)
                    seen[base] = n + 1
                    result.add(base if n == 0 else f"{base}-{n}")
        cache[path] = result
    return cache[path]


def expand_braces(word):
    m = re.search(r"\{([^{}]*)\}", word)
    if not m:
        return [word]
    return [w for option in m.group(1).split(",")
            for w in expand_braces(word[:m.start()] + option + word[m.end():])]


def check_link(root, source, target):
    """An error message for one link target, or None."""
    if SCHEME.match(target):
        return None
    path, _, fragment = target.partition("#")
    path = path.split("?", 1)[0]
    if path:
        resolved = os.path.normpath(os.path.join(os.path.dirname(source), path))
    else:
        resolved = source
    if os.path.relpath(resolved, root).startswith(".."):
        return "points outside the repository"
    if not os.path.exists(resolved):
        return "no such file"
    if fragment and resolved.endswith(".md") and fragment.lower() not in anchors(resolved):
        return f"no heading for #{fragment} in {os.path.relpath(resolved, root)}"
    return None


def main():
    root = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else
                           os.path.join(os.path.dirname(__file__), ".."))
    top_level = {n for n in os.listdir(root)
                 if not n.startswith(".") or n == ".ci"} - {"build", "results", "report", "runs"}
    errors, links = [], 0
    for source in markdown_files(root):
        rel = os.path.relpath(source, root)
        with open(source, encoding="utf-8") as f:
            text = f.read()
        for number, line in enumerate(text.splitlines(), 1):
            if "shared/" in line:
                errors.append(f"{rel}:{number}: mentions shared/ (not part of a clone)")
        for number, line in lines_outside_fences(text):
            spans = [m.group(2) for m in CODE_SPAN.finditer(line)]
            prose = CODE_SPAN.sub("", line)
            targets = [m.group(1) for m in LINK.finditer(prose)]
            m = REFERENCE.match(prose)
            if m:
                targets.append(m.group(1))
            for target in targets:
                links += 1
                problem = check_link(root, source, target)
                if problem:
                    errors.append(f"{rel}:{number}: link {target}: {problem}")
            for span in spans:
                for word in span.split():
                    word = word.strip(".,;:()[]'\"")
                    first = word.split("/", 1)[0]
                    if "/" not in word or first not in top_level or PLACEHOLDER.search(word):
                        continue
                    for path in expand_braces(word):
                        links += 1
                        if not os.path.exists(os.path.join(root, path)):
                            errors.append(f"{rel}:{number}: path `{path}`: no such file")
    for e in errors:
        print(e)
    print(f"check_links: {links} links and paths checked, {len(errors)} broken", file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
