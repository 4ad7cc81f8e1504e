"""First-boot settings: the owner's ``samantha.txt`` on the SD card's boot partition.

The boot partition is FAT, so the owner can edit the file on any computer before the first boot
(as with Raspberry Pi OS's ``config.txt``). One ``key = value`` per line, ``#`` starts a comment,
quotes around a value are optional::

    name = Samantha             # her name, and her wake phrase unless wake_phrase is set
    owner = Alex                # your name
    wake_phrase = hey samantha
    voice = en_US-joe-medium    # a Piper voice on the card (`samantha models list`)
    volume = 70                 # speaker volume, 0-100 %
    language = ko               # Korean (hears with whisper-base, speaks with espeak-ng)

At boot, ``samantha-firstboot.service`` runs ``python -m samantha.appliance.firstboot`` on it:
the settings are merged into ``/etc/samantha/samantha.toml`` (checked by loading it as her
config, so a bad value never reaches the daemon), the volume goes to ``/etc/samantha/volume``,
and the unit then renames the file so it is applied once. A file with a mistake changes nothing:
the one-line error goes to the journal and to ``samantha-error.txt`` beside it, where the owner
will see it.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from samantha import boards
from samantha import config as config_mod
from samantha.errors import SamanthaError
from samantha.models import store as modelstore


class FirstbootError(SamanthaError):
    stage = "firstboot"


# key in samantha.txt -> (config section, config key); None for settings outside the config.
KEYS: dict[str, tuple[str, str] | None] = {
    "name": ("persona", "name"),
    "owner": ("persona", "owner"),
    "traits": ("persona", "traits"),
    "language": ("persona", "language"),
    "wake_phrase": ("wake", "phrase"),
    "voice": ("tts", "voice"),
    "volume": None,
}
MAX_VALUE = 200


@dataclass(frozen=True, slots=True)
class Settings:
    """What the owner wrote; ``None`` is a setting left as it was."""

    config: dict[str, dict[str, Any]]
    """Tables to merge into samantha.toml, e.g. ``{"persona": {"name": "Ava"}}``."""
    volume: int | None = None
    """Speaker volume in percent."""


def parse(text: str, where: str = "samantha.txt") -> Settings:
    """Parse the owner's file; a mistake raises FirstbootError naming the line."""
    tables: dict[str, dict[str, Any]] = {}
    volume: int | None = None
    seen: set[str] = set()
    for number, raw in enumerate(text.lstrip("\ufeff").splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        at = f"{where} line {number}"
        key, sep, value = line.partition("=")
        key = key.strip().lower().replace("-", "_").replace(" ", "_")
        value = value.strip()
        if not sep or not key:
            raise FirstbootError("syntax", f"{at}: expected 'key = value', got {raw.strip()!r}",
                                 "write one setting per line, like: volume = 70")
        if key not in KEYS:
            raise FirstbootError("unknown-key", f"{at}: unknown setting {key!r}",
                                 f"use one of: {', '.join(KEYS)}")
        if key in seen:
            raise FirstbootError("repeated", f"{at}: {key} is set twice", "keep one of them")
        seen.add(key)
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1].strip()
        if not value:
            raise FirstbootError("empty", f"{at}: {key} has no value",
                                 "give it a value or delete the line")
        if len(value) > MAX_VALUE or any(ord(c) < 32 for c in value):
            raise FirstbootError("bad-value", f"{at}: {key} is too long or has control characters",
                                 f"keep it under {MAX_VALUE} plain characters")
        if key == "volume":
            volume = _volume(value, at)
            continue
        target = KEYS[key]
        assert target is not None
        section, name = target
        parsed: Any = value
        if key == "traits":
            parsed = [t.strip() for t in value.split(",") if t.strip()]
        tables.setdefault(section, {})[name] = parsed
    return Settings(config=tables, volume=volume)


def _volume(value: str, at: str) -> int:
    digits = value.removesuffix("%").strip()
    if not digits.isdigit() or not 0 <= int(digits) <= 100:
        raise FirstbootError("bad-volume", f"{at}: volume {value!r} is not 0-100",
                             "write a percentage, like: volume = 70")
    return int(digits)


def check_voice(voice: str, models_dir: Path | None, manifest: Path | None) -> None:
    """The voice must be a Piper voice in the manifest whose files are on the card, verified."""
    try:
        entry = modelstore.get(voice, manifest)
    except SamanthaError as exc:
        raise FirstbootError("voice", f"voice: {exc.message}", exc.fix) from None
    if entry.role != "tts":
        raise FirstbootError("voice", f"voice: {voice!r} is a {entry.role} model, not a voice",
                             "name a Piper voice (role tts) from `samantha models list`")
    try:
        modelstore.verify(entry, models_dir)
    except SamanthaError as exc:
        raise FirstbootError("voice", f"voice {voice!r} is not usable on this card: {exc.message}",
                             "use a voice that ships with the image, e.g. en_US-joe-medium") \
            from None


def check_ears(merged: dict[str, Any], language: str, models_dir: Path | None,
               manifest: Path | None) -> None:
    """The language's speech recognition (Korean: the multilingual whisper) must be on the card:
    otherwise the daemon would stop at start for a model it cannot find."""
    board = str(merged.get("board") or boards.detect())
    profile = config_mod.board_profile(board)
    data = config_mod.merge(config_mod.read_toml(profile) if profile.is_file() else {}, merged)
    model = config_mod.from_dict(data).asr.model
    missing: list[SamanthaError]
    try:
        missing = list(modelstore.problems(modelstore.get(model, manifest), models_dir))
    except SamanthaError as exc:
        missing = [exc]
    if missing:
        raise FirstbootError("language", f"language {language!r} needs the speech model "
                             f"{model}, which is not usable on this card ({missing[0].message})",
                             "use the image's own models (it carries whisper-base for Korean), "
                             "or leave language out") from None


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        out = value.replace("\\", "\\\\").replace('"', '\\"')
        return f'"{out}"'
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise FirstbootError("bad-value", f"cannot write {value!r} to TOML", "report this as a bug")


def to_toml(data: dict[str, Any]) -> str:
    """Write a config of top-level keys and one level of tables (the shape samantha.toml has)."""
    lines = ["# Samantha's settings. Written by samantha-firstboot from the boot partition's",
             "# samantha.txt; edit that file (or this one) and reboot.", ""]
    tables = {k: v for k, v in data.items() if isinstance(v, dict)}
    for key, value in data.items():
        if not isinstance(value, dict):
            lines.append(f"{key} = {_toml_value(value)}")
    for name, table in tables.items():
        lines += ["", f"[{name}]"]
        for key, value in table.items():
            if isinstance(value, dict):
                raise FirstbootError("nested", f"[{name}].{key} is a nested table",
                                     "samantha.toml has one level of tables")
            lines.append(f"{key} = {_toml_value(value)}")
    return "\n".join(lines) + "\n"


def _write_atomic(path: Path, text: str, mode: int = 0o644) -> None:
    """Write, fsync, rename: a power cut leaves the old file or the new one, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def apply(settings_file: Path, etc_dir: Path, models_dir: Path | None = None,
          manifest: Path | None = None) -> Settings:
    """Merge the owner's settings into ``etc_dir/samantha.toml`` and ``etc_dir/volume``.

    Nothing is written unless the whole result loads as a valid config."""
    try:
        text = settings_file.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise FirstbootError("encoding", f"{settings_file} is not UTF-8 text",
                             "save it as plain UTF-8 text") from None
    settings = parse(text, settings_file.name)
    target = etc_dir / "samantha.toml"
    current: dict[str, Any] = {}
    if target.is_file():
        try:
            current = tomllib.loads(target.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise FirstbootError("current", f"{target} is not valid TOML ({exc})",
                                 "fix or delete it, then reboot") from None
    merged = config_mod.merge(current, settings.config)
    try:
        cfg = config_mod.from_dict(merged)
    except SamanthaError as exc:
        raise FirstbootError("config", exc.message, exc.fix) from None
    voice = settings.config.get("tts", {}).get("voice")
    if voice is not None:
        check_voice(voice, models_dir, manifest)
    if "language" in settings.config.get("persona", {}):
        check_ears(merged, cfg.persona.language, models_dir, manifest)
    if settings.config:
        _write_atomic(target, to_toml(merged))
    if settings.volume is not None:
        _write_atomic(etc_dir / "volume", f"{settings.volume}\n")
    return settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m samantha.appliance.firstboot",
                                     description="Apply the boot partition's samantha.txt.")
    parser.add_argument("settings", type=Path, help="the owner's file, e.g. "
                        "/boot/firmware/samantha.txt")
    parser.add_argument("--etc-dir", type=Path, default=Path("/etc/samantha"))
    parser.add_argument("--models-dir", type=Path, default=None)
    parser.add_argument("--manifest", type=Path, default=None)
    parser.add_argument("--error-file", type=Path, default=None,
                        help="also write a failure here (the boot partition, for the owner)")
    args = parser.parse_args(argv)
    try:
        settings = apply(args.settings, args.etc_dir, args.models_dir, args.manifest)
    except (SamanthaError, OSError) as exc:
        line = str(exc)
        print(line, file=sys.stderr)
        if args.error_file is not None:
            try:
                _write_atomic(args.error_file, line + "\n")
            except OSError:
                pass
        return 1
    changed = [f"{s}.{k}" for s, t in settings.config.items() for k in t]
    if settings.volume is not None:
        changed.append("volume")
    print(f"applied {args.settings}: {', '.join(changed) or 'nothing to change'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
