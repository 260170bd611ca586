"""The Persian translation of every addon of this repository, checked against the code.

The ``.pot`` of each addon must be what Odoo exports from the code and data today (so
that no new term is missed), every term of it must have a Persian translation in
``fa.po``, the translation must keep the term's placeholders and markup (or rendering
fails), and a Persian sentence may not carry English words.
"""

import re
from pathlib import Path

import polib

from odoo.tests import TransactionCase, tagged
from odoo.tools.translate import TranslationModuleReader

REPOSITORY = Path(__file__).resolve().parents[2]
ADDONS = sorted(path.parent.name for path in REPOSITORY.glob("*/__manifest__.py"))

PLACEHOLDER = re.compile(r"%\(\w+\)[-+ #0]*\d*(?:\.\d+)?[sdf]|%[sdf]|\{\{.*?\}\}")
TAG = re.compile(r"</?([a-zA-Z][\w-]*)")
# what may stay Latin in a Persian text: markup and its attributes, placeholders, addresses,
# references, identifiers (alias_model_id), and these names
# the sample text of an element whose content the template replaces (mail templates)
SAMPLE = re.compile(r"<(\w+)[^>]*\bt-(?:out|esc|field)=[^>]*>[^<]*</\1>")
MARKUP = re.compile(r"<[^>]*>|&\w+;|%\(\w+\)[-+ #0]*\d*(?:\.\d+)?[sdf]|%[sdf]|\{\{.*?\}\}|\$\{.*?\}")
# addresses, links, paths, file extensions, references, quoted examples ('jobs')
ADDRESS = re.compile(
    r"\S+@\S+|https?://\S*|(?<!\w)/[\w/-]+|\b[\w-]+\.(?:com|org|net|ir|example)\b|\.\w{2,4}\b|\bCMP/\S*|'[\w.@-]+'|«[\w.@-]+»"
)
IDENTIFIER = re.compile(r"\b\w*_\w*\b|\b[A-Z]{2,}\d*\b|\b[a-z]+(?:-[a-z]+)+\b")
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
NAMES = {"Odoo", "ISO", "Persian", "Auto", "Submitted", "Precedence", "Font", "Awesome", "Qweb", "QWeb"}
# report file names are Python expressions: their words are code
CODE = ("model:ir.actions.report,print_report_name:",)


def _installed_terms(env, module):
    """The terms Odoo exports for ``module`` from its code and records, as (msgctxt-free) ids."""
    return {row[4] for row in TranslationModuleReader(env.cr, modules=[module], lang="fa_IR") if row[4]}


@tagged("post_install", "-at_install")
class TestPersianTranslation(TransactionCase):
    def _files(self, addon):
        folder = REPOSITORY / addon / "i18n"
        return folder / f"{addon}.pot", folder / "fa.po"

    def _addons_with_terms(self):
        installed = set(
            self.env["ir.module.module"].search([("name", "in", ADDONS), ("state", "=", "installed")]).mapped("name")
        )
        return {addon: _installed_terms(self.env, addon) for addon in ADDONS if addon in installed}

    def test_pot_is_what_the_code_exports(self):
        """A term added to the code or the data is in the ``.pot``; a term gone from them is gone from it."""
        for addon, terms in self._addons_with_terms().items():
            pot_path, _po = self._files(addon)
            if not terms:
                continue
            with self.subTest(addon=addon):
                self.assertTrue(pot_path.exists(), f"{addon} has terms but no i18n/{pot_path.name}")
                # base leaves some currency words untranslated in Persian: this module's
                # files carry them (amounts in words), though no code of it has them
                pot = {
                    entry.msgid
                    for entry in polib.pofile(str(pot_path))
                    if not entry.obsolete
                    and not all(where.startswith("model:res.currency,") for where, _line in entry.occurrences)
                }
                self.assertFalse(sorted(terms - pot)[:10], f"terms missing from {addon}'s .pot: regenerate it")
                self.assertFalse(sorted(pot - terms)[:10], f"terms of {addon}'s .pot no longer in the code")

    def test_every_term_has_a_persian_translation(self):
        for addon in ADDONS:
            pot_path, po_path = self._files(addon)
            if not pot_path.exists():
                continue
            with self.subTest(addon=addon):
                self.assertTrue(po_path.exists(), f"{addon} has no i18n/fa.po")
                po = polib.pofile(str(po_path))
                translated = {entry.msgid for entry in po if entry.msgstr.strip() and "fuzzy" not in entry.flags}
                missing = [e.msgid for e in polib.pofile(str(pot_path)) if e.msgid not in translated]
                self.assertFalse(missing[:10], f"{len(missing)} term(s) of {addon} without Persian translation")

    def test_translations_keep_placeholders_and_markup(self):
        for addon in ADDONS:
            _pot, po_path = self._files(addon)
            if not po_path.exists():
                continue
            for entry in polib.pofile(str(po_path)):
                if not entry.msgstr:
                    continue
                with self.subTest(addon=addon, msgid=entry.msgid[:60]):
                    placeholders = sorted(PLACEHOLDER.findall(entry.msgid))
                    self.assertEqual(placeholders, sorted(PLACEHOLDER.findall(entry.msgstr)))
                    self.assertEqual(sorted(TAG.findall(entry.msgid)), sorted(TAG.findall(entry.msgstr)))

    def test_no_english_in_persian_sentences(self):
        """Whole sentences are translated: what stays Latin is markup, a placeholder, an
        address, a reference, an identifier or a name."""
        for addon in ADDONS:
            _pot, po_path = self._files(addon)
            if not po_path.exists():
                continue
            for entry in polib.pofile(str(po_path)):
                if all(where.startswith(CODE) for where, _line in entry.occurrences):
                    continue
                text = IDENTIFIER.sub(" ", ADDRESS.sub(" ", MARKUP.sub(" ", SAMPLE.sub(" ", entry.msgstr))))
                english = [word for word in LATIN_WORD.findall(text) if word not in NAMES]
                with self.subTest(addon=addon, msgid=entry.msgid[:60]):
                    self.assertFalse(english, f"English left in the Persian of {entry.msgid[:80]!r}")

    def test_persian_letters_not_arabic(self):
        """Persian ی and ک, not Arabic ي and ك, so that searches and sorting work."""
        for addon in ADDONS:
            _pot, po_path = self._files(addon)
            if po_path.exists():
                text = po_path.read_text(encoding="utf-8")
                self.assertNotIn("ي", text, addon)
                self.assertNotIn("ك", text, addon)
