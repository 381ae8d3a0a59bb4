"""The documentation stays inside the repository: its links resolve, none leaves, and mkdocs lists every page.

Checked on the Markdown source of README.md and docs/: inline links and images `[x](target)`, reference
definitions `[x]: target`, autolinks `<scheme:...>`, HTML `href`/`src`, and bare web addresses (which GitHub
turns into links). Code blocks and code spans are not prose: a URL a person types goes there, not in a link.
"""

import re
import unicodedata
from functools import cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

import yaml

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
README = ROOT / "README.md"
PAGES = [README, *sorted(DOCS.rglob("*.md"))]
# The local demo's own addresses may be links; nothing else outside the repository may.
LOOPBACK = {"127.0.0.1", "localhost", "::1"}

FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
INLINE = re.compile(
    r"!?\[(?:[^\[\]]|\[[^\[\]]*\])*\]\(\s*(<[^<>\n]*>|[^\s()]*(?:\([^\s()]*\)[^\s()]*)*)"
    r"(?:\s+(?:\"[^\"]*\"|'[^']*'|\([^()]*\)))?\s*\)"
)
REFERENCE = re.compile(r"^ {0,3}\[[^\]\n]+\]:[ \t]*(<[^<>\n]*>|\S+)", re.MULTILINE)
AUTOLINK = re.compile(r"<([A-Za-z][A-Za-z0-9+.-]{1,31}:[^\s<>]*)>")
HTML = re.compile(r"""\b(?:href|src)\s*=\s*["']([^"']*)["']""", re.IGNORECASE)
BARE = re.compile(r"\b(?:https?://|www\.)[^\s<>()\[\]]+", re.IGNORECASE)
HEADING = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$")
LINK_TEXT = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")


def relative(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def without_fences(text: str) -> list[str]:
    """The page's lines with fenced code blocks blanked (line numbers kept)."""
    lines, fence = [], None
    for line in text.split("\n"):
        opened = FENCE.match(line)
        if fence is None and opened:
            fence = opened.group(1)
            lines.append("")
        elif fence is not None:
            if line.strip().startswith(fence[0] * len(fence)) and not line.strip().strip(fence[0]):
                fence = None
            lines.append("")
        else:
            lines.append(line)
    return lines


def without_code_spans(text: str) -> str:
    """`text` with every code span blanked, as CommonMark reads them: a run of n backticks up to the next run of
    exactly n, within one paragraph; unmatched backticks stay literal. Newlines are kept, so are line numbers."""
    out, i = [], 0
    while i < len(text):
        if text[i] != "`":
            out.append(text[i])
            i += 1
            continue
        run = len(text[i:]) - len(text[i:].lstrip("`"))
        closing = re.compile(rf"(?<!`)`{{{run}}}(?!`)").search(text, i + run)
        paragraph_end = re.compile(r"\n[ \t]*\n").search(text, i + run)
        if closing and (paragraph_end is None or closing.start() < paragraph_end.start()):
            out.append(re.sub(r"[^\n]", " ", text[i : closing.end()]))
            i = closing.end()
        else:
            out.append(text[i : i + run])
            i += run
    return "".join(out)


@cache
def prose(page: Path) -> str:
    """The page as Markdown prose: no code blocks, no code spans."""
    return without_code_spans("\n".join(without_fences(page.read_text(encoding="utf-8"))))


@cache
def links(page: Path) -> list[tuple[int, str]]:
    """(line, target) of every link and image of `page`."""
    text = prose(page)
    found = []
    for pattern in (INLINE, REFERENCE, AUTOLINK, HTML):
        for match in pattern.finditer(text):
            target = match.group(1).strip()
            if target.startswith("<") and target.endswith(">"):
                target = target[1:-1]
            found.append((text.count("\n", 0, match.start()) + 1, target))
    return sorted(found)


def local_address(target: str) -> bool:
    parts = urlsplit(target)
    return parts.scheme in ("http", "https") and parts.hostname in LOOPBACK


def outside(page: Path, target: str) -> str | None:
    """Why `target` leaves the repository, or None when it stays in it (or is the local demo)."""
    parts = urlsplit(target)
    if parts.scheme or target.startswith("//"):
        return None if local_address(target) else f"an address outside the repository ({parts.scheme or 'network'})"
    if target.startswith("/"):
        return "a site-absolute path, which GitHub resolves outside the repository"
    path = unquote(parts.path)
    if path and not (page.parent / path).resolve().is_relative_to(ROOT):
        return "a path outside the repository root"
    return None


def test_no_link_in_readme_or_docs_leaves_the_repository():
    leaving = [
        f"{relative(page)}:{line}: {target} ({why})"
        for page in PAGES
        for line, target in links(page)
        if (why := outside(page, target))
    ]
    assert not leaving, "links that leave the repository:\n" + "\n".join(leaving)


def test_no_bare_web_address_in_readme_or_docs_outside_code():
    bare = []
    for page in PAGES:
        text = prose(page)
        for match in BARE.finditer(text):
            address = match.group(0).rstrip(".,;:!?'\"")
            if not local_address(address):
                bare.append(f"{relative(page)}:{text.count(chr(10), 0, match.start()) + 1}: {address}")
    assert not bare, (
        "web addresses GitHub would turn into links (name the place in words, or put an address "
        "a person types in a code span):\n" + "\n".join(bare)
    )


def test_every_relative_link_in_readme_and_docs_resolves():
    broken = []
    for page in PAGES:
        for line, target in links(page):
            parts = urlsplit(target)
            if parts.scheme or target.startswith("/") or outside(page, target):
                continue
            path = unquote(parts.path)
            if path and not (page.parent / path).exists():
                broken.append(f"{relative(page)}:{line}: {target}")
    assert not broken, "links to files that do not exist:\n" + "\n".join(broken)


def heading_texts(page: Path) -> list[str]:
    """The text of each heading of `page`, as rendered: link targets, code marks and emphasis dropped."""
    texts = []
    for line in without_fences(page.read_text(encoding="utf-8")):
        heading = HEADING.match(line)
        if heading:
            texts.append(re.sub(r"[`*]", "", LINK_TEXT.sub(r"\1", heading.group(2))).strip())
    return texts


def github_anchor(text: str) -> str:
    """GitHub's anchor of a heading: lower case, punctuation dropped, each space a hyphen."""
    kept = "".join(c for c in text.lower() if c in " -_" or unicodedata.category(c)[0] in "LNM")
    return kept.replace(" ", "-")


def mkdocs_anchor(text: str) -> str:
    """MkDocs' anchor of a heading (Python-Markdown's toc slugify)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[-\s]+", "-", re.sub(r"[^\w\s-]", "", ascii_text).strip().lower())


def test_every_anchor_in_readme_and_docs_names_a_heading_on_github_and_in_mkdocs():
    missing = []
    for page in PAGES:
        for line, target in links(page):
            parts = urlsplit(target)
            if parts.scheme or not parts.fragment or outside(page, target):
                continue
            linked = (page.parent / unquote(parts.path)).resolve() if parts.path else page
            if linked.suffix != ".md" or not linked.exists():
                continue
            anchor = unquote(parts.fragment)
            texts = heading_texts(linked)
            if not any(github_anchor(t) == anchor and mkdocs_anchor(t) == anchor for t in texts):
                missing.append(f"{relative(page)}:{line}: {target}")
    assert not missing, "anchors that name no heading (on GitHub and in MkDocs alike):\n" + "\n".join(missing)


def nav_pages(entries) -> list[str]:
    """Every page a mkdocs `nav` names, however deeply nested."""
    if isinstance(entries, str):
        return [entries]
    if isinstance(entries, list):
        return [page for entry in entries for page in nav_pages(entry)]
    if isinstance(entries, dict):
        return [page for value in entries.values() for page in nav_pages(value)]
    return []


def mkdocs_config() -> dict:
    return yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))


def test_mkdocs_nav_lists_every_docs_page():
    listed = nav_pages(mkdocs_config()["nav"])
    pages = sorted(path.relative_to(DOCS).as_posix() for path in DOCS.rglob("*.md"))
    assert sorted(listed) == pages, f"nav {sorted(listed)} is not the docs pages {pages}"


def test_mkdocs_builds_the_docs_folder_with_the_plain_theme():
    config = mkdocs_config()
    assert config.get("site_name") and config.get("docs_dir") == "docs" and config.get("theme") == "mkdocs"


def test_readme_is_a_front_door_of_at_most_200_lines_naming_the_two_commands():
    text = README.read_text(encoding="utf-8")
    assert len(text.splitlines()) <= 200
    assert "make run" in text and "make test" in text
    assert "docs/slack-page.png" in text
