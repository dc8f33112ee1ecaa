"""Every relative link in the project's Markdown leads somewhere: the file exists inside
the repository and, when the link names a heading (`#anchor`), that heading exists
(anchors made the way GitHub makes them). Run by `make test`."""

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Installed or built trees, not the project's own (every .venv* is a tool's venv).
SKIP = {"target", "node_modules", ".git", ".aws-sam"}
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


def markdown_files():
    for path in sorted(ROOT.rglob("*.md")):
        parts = path.relative_to(ROOT).parts
        if not SKIP.intersection(parts) and not parts[0].startswith(".venv"):
            yield path


def prose(text):
    """The text outside fenced code blocks."""
    out, fenced = [], False
    for line in text.splitlines():
        if line.lstrip().startswith("```"):
            fenced = not fenced
            continue
        if not fenced:
            out.append(line)
    return out


def anchors(path):
    found = set()
    for line in prose(path.read_text()):
        m = re.match(r"#{1,6} (.*)", line)
        if m:
            slug = re.sub(r"[^\w\- ]", "", m.group(1).strip().lower()).replace(" ", "-")
            found.add(slug)
    return found


def problems():
    for path in markdown_files():
        for number, line in enumerate(prose(path.read_text()), 1):
            for target in LINK.findall(line):
                if re.match(r"[a-z]+:", target):
                    continue
                file_part, _, anchor = target.partition("#")
                dest = (path.parent / file_part).resolve() if file_part else path
                where = f"{path.relative_to(ROOT)}: {target}"
                if ROOT not in dest.parents and dest != ROOT:
                    yield f"{where}: outside the repository"
                elif not dest.exists():
                    yield f"{where}: no such file"
                elif anchor and dest.suffix == ".md" and anchor not in anchors(dest):
                    yield f"{where}: no heading #{anchor}"


def main():
    found = list(problems())
    for p in found:
        print(p)
    files = len(list(markdown_files()))
    if found:
        print(f"doc links: {len(found)} broken in {files} Markdown files")
        return 1
    print(f"doc links: every relative link of {files} Markdown files leads somewhere")
    return 0


if __name__ == "__main__":
    sys.exit(main())
