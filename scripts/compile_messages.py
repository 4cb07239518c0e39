"""Compile every django.po under src/gridgov/locale into django.mo with polib, so neither the
build nor a fresh machine needs GNU gettext. Run after editing translations (`make messages`)."""

from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent / "src" / "gridgov" / "locale"

for po_path in sorted(ROOT.glob("*/LC_MESSAGES/django.po")):
    po = polib.pofile(str(po_path))
    untranslated = [e.msgid for e in po.untranslated_entries()]
    if untranslated:
        raise SystemExit(f"{po_path}: untranslated: {untranslated[:10]}")
    fuzzy = [e.msgid for e in po.fuzzy_entries()]
    if fuzzy:  # makemessages' guesses: check them, then drop the fuzzy flag
        raise SystemExit(f"{po_path}: fuzzy (unchecked) translations: {fuzzy[:10]}")
    po.save_as_mofile(str(po_path.with_suffix(".mo")))
    print(f"compiled {po_path.relative_to(ROOT.parent.parent.parent)} ({len(po)} messages)")
