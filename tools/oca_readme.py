"""Each addon's README.rst from its readme/ fragments, in the shape of OCA's
``oca-gen-addon-readme`` (OCA/maintainer-tools).

OCA's generator is not on PyPI (it installs from its git repository, which this
project's machines cannot reach), so this is a small one of our own that writes the
same structure: title, "generated" banner with the source digest, badges, DESCRIPTION,
table of contents, the sections of the other fragments, bug tracker, credits (authors
from the manifest, CONTRIBUTORS and CREDITS fragments, maintainers). Markdown fragments
are converted to reStructuredText by pandoc, as OCA's does, through the PyPI wheel
``pypandoc-binary`` (it ships the pandoc binary; pinned in requirements-dev.txt, so
the output does not change from one machine to the next). The result must be valid
reStructuredText (docutils, with OCA's settings).

    python3 tools/harness.py readme            # write every addon's README.rst
    python3 tools/oca_readme.py ADDON_DIR...   # the same for some addons

``tools/harness.py check`` fails when a README.rst differs from what this writes.
"""

import ast
import hashlib
import sys
from pathlib import Path
from urllib.parse import urlparse

FRAGMENTS_DIR = "readme"
# (fragment, section title) in the order of OCA's template; DESCRIPTION opens the page
SECTIONS = [
    ("CONTEXT", "Use Cases / Context"),
    ("INSTALL", "Installation"),
    ("CONFIGURE", "Configuration"),
    ("USAGE", "Usage"),
    ("DEVELOP", "Development"),
    ("ROADMAP", "Known issues / Roadmap"),
    ("HISTORY", "Changelog"),
]
CREDITS = [("CONTRIBUTORS", "Contributors"), ("CREDITS", "Other credits")]
FRAGMENTS = ["DESCRIPTION"] + [name for name, _title in SECTIONS + CREDITS]

STATUS_BADGES = {
    "alpha": ("https://img.shields.io/badge/maturity-Alpha-red.png", "Alpha"),
    "beta": ("https://img.shields.io/badge/maturity-Beta-yellow.png", "Beta"),
    "production/stable": ("https://img.shields.io/badge/maturity-Production%2FStable-green.png", "Production/Stable"),
    "mature": ("https://img.shields.io/badge/maturity-Mature-brightgreen.png", "Mature"),
}
STATUS_PAGE = "https://odoo-community.org/page/development-status"
LICENSE_BADGES = {
    name: (
        f"https://img.shields.io/badge/licence-{name.replace('-', '--')}-blue.png",
        f"http://www.gnu.org/licenses/{name.lower()}.0-standalone.html",
    )
    for name in ("AGPL-3", "LGPL-3", "GPL-3")
}
# docutils settings of OCA's check (from pypa/readme_renderer): any warning is an error
RST_SETTINGS = {
    "file_insertion_enabled": False,
    "halt_level": 2,
    "raw_enabled": False,
    "report_level": 2,
    "smart_quotes": True,
    "syntax_highlight": "short",
}


def read_manifest(addon_dir):
    return ast.literal_eval((Path(addon_dir) / "__manifest__.py").read_text(encoding="utf-8"))


def fragment_files(addon_dir):
    """{fragment name: path} of the addon's readme/ fragments (.md, else .rst)."""
    found = {}
    folder = Path(addon_dir) / FRAGMENTS_DIR
    for name in FRAGMENTS:
        for ext in (".md", ".rst"):
            path = folder / f"{name}{ext}"
            if path.is_file() and path.read_text(encoding="utf-8").strip():
                found[name] = path
                break
    return found


def to_rst(path):
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".md":
        import pypandoc

        text = pypandoc.convert_text(text, "rst", format="markdown")
    return text.strip() + "\n"


# the manifest's keys that the README shows: another change of the manifest (a new
# dependency, a new data file) leaves the README as it is
MANIFEST_KEYS = ("name", "summary", "version", "development_status", "license", "website", "author", "maintainers")


def source_digest(manifest, files):
    """A digest of what the README is made of: the manifest's keys it shows, the fragments."""
    digest = hashlib.sha256(repr([manifest.get(key) for key in MANIFEST_KEYS]).encode())
    for path in sorted(files.values()):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return "sha256:" + digest.hexdigest()[:16]


def org_repo(manifest):
    """(organisation, repository) of the manifest's GitHub website."""
    parts = urlparse(manifest.get("website", "")).path.strip("/").split("/")
    return (parts[0], parts[1]) if len(parts) >= 2 else ("", "")


def heading(title, char, over=False):
    line = char * len(title)
    return f"{line}\n{title}\n{line}\n" if over else f"{title}\n{line}\n"


def render(addon_dir):
    """The README.rst text of the addon in ``addon_dir``."""
    addon_dir = Path(addon_dir)
    addon = addon_dir.resolve().name
    manifest = read_manifest(addon_dir)
    files = fragment_files(addon_dir)
    fragments = {name: to_rst(path) for name, path in files.items()}
    org, repo = org_repo(manifest)
    branch = ".".join(manifest.get("version", "18.0").split(".")[:2])  # the Odoo series
    status = manifest.get("development_status", "Beta").lower()

    badges = []
    if status in STATUS_BADGES:
        image, alt = STATUS_BADGES[status]
        badges.append((image, STATUS_PAGE, alt))
    if manifest.get("license") in LICENSE_BADGES:
        image, target = LICENSE_BADGES[manifest["license"]]
        badges.append((image, target, f"License: {manifest['license']}"))
    if org:
        badges.append(
            (
                f"https://img.shields.io/badge/github-{org}%2F{repo.replace('-', '--').replace('_', '__')}"
                "-lightgray.png?logo=github",
                f"https://github.com/{org}/{repo}/tree/{branch}/{addon}",
                f"{org}/{repo}",
            )
        )

    out = [heading(manifest["name"], "=", over=True)]
    out.append(
        "..\n"
        "   !!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n"
        "   !! This file is generated by oca-gen-addon-readme !!\n"
        "   !! changes will be overwritten.                   !!\n"
        "   !!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n"
        f"   !! source digest: {source_digest(manifest, files)}\n"
        "   !!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n"
    )
    if badges:
        out.append(
            "".join(
                f".. |badge{i}| image:: {image}\n    :target: {target}\n    :alt: {alt}\n"
                for i, (image, target, alt) in enumerate(badges, 1)
            )
        )
        out.append(" ".join(f"|badge{i}|" for i in range(1, len(badges) + 1)) + "\n")
    out.append(fragments.get("DESCRIPTION") or (manifest.get("summary", "") + "\n"))
    if status == "alpha":
        out.append(
            ".. IMPORTANT::\n"
            "   This is an alpha version, the data model and design can change at any time without warning.\n"
            "   Only for development or testing purpose, do not use in production.\n"
            f"   `More details on development status <{STATUS_PAGE}>`_\n"
        )
    out.append("**Table of contents**\n\n.. contents::\n   :local:\n")
    for name, title in SECTIONS:
        if name in fragments:
            out.append(heading(title, "=") + "\n" + fragments[name])
    if org:
        issues = f"https://github.com/{org}/{repo}/issues"
        body = f"module:%20{addon}%0Aversion:%20{branch}%0A%0A**Steps%20to%20reproduce**%0A-%20...%0A%0A"
        body += "**Current%20behavior**%0A%0A**Expected%20behavior**"
        out.append(
            heading("Bug Tracker", "=") + "\n"
            f"Bugs are tracked on `GitHub Issues <{issues}>`_.\n"
            "In case of trouble, please check there if your issue has already been reported.\n"
            "If you spotted it first, help us to smash it by providing a detailed and welcomed\n"
            f"`feedback <{issues}/new?body={body}>`_.\n\n"
            "Do not contact contributors directly about support or help with technical issues.\n"
        )
    out.append(heading("Credits", "="))
    authors = [a.strip() for a in manifest.get("author", "").split(",") if a.strip()]
    if authors:
        out.append(heading("Authors", "-") + "\n" + "".join(f"* {a}\n" for a in authors))
    for name, title in CREDITS:
        if name in fragments:
            out.append(heading(title, "-") + "\n" + fragments[name])
    maintainers = manifest.get("maintainers") or []
    text = heading("Maintainers", "-")
    if maintainers:
        text += "\n" + "".join(
            f".. |maintainer-{m}| image:: https://github.com/{m}.png?size=40px\n"
            f"    :target: https://github.com/{m}\n    :alt: {m}\n"
            for m in maintainers
        )
        text += f"\nCurrent maintainer{'s' if len(maintainers) > 1 else ''}:\n\n"
        text += " ".join(f"|maintainer-{m}|" for m in maintainers) + "\n"
    if org:
        text += (
            f"\nThis module is part of the `{org}/{repo} <https://github.com/{org}/{repo}/tree/{branch}/{addon}>`_"
            " project on GitHub.\n\nYou are welcome to contribute.\n"
        )
    out.append(text)
    return "\n".join(out)


def check_rst(text, source):
    """Raise docutils' error when ``text`` is not valid reStructuredText."""
    import io

    from docutils.core import publish_string

    publish_string(
        text,
        source_path=str(source),
        writer_name="html4css1",
        settings_overrides=dict(RST_SETTINGS, warning_stream=io.StringIO()),
    )


def addon_dirs(root):
    """The addons of ``root`` that have readme fragments."""
    return sorted(p.parent for p in Path(root).glob("*/__manifest__.py") if fragment_files(p.parent))


def generate(dirs, write=True):
    """Render each addon's README.rst; write it, or not. Return the paths that differ."""
    stale = []
    for addon_dir in dirs:
        text = render(addon_dir)
        path = Path(addon_dir) / "README.rst"
        check_rst(text, path)
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            stale.append(path)
            if write:
                path.write_text(text, encoding="utf-8")
    return stale


if __name__ == "__main__":
    for written in generate([Path(d) for d in sys.argv[1:]] or addon_dirs(Path(__file__).resolve().parent.parent)):
        print(f"wrote {written}")
