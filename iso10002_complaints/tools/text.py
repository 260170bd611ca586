"""What people type: the characters a text may hold.

A client's text (a form, an import, an RPC call) holding characters nobody types is
refused; an intake that nothing may refuse (the mail gateway, a helpdesk ticket) drops
them instead. Persian's joiners and direction marks are text.
"""

import re
import unicodedata

from odoo.exceptions import UserError

# explicit direction overrides and isolates can disguise a name or a text (the joiners
# Persian needs, U+200C and U+200D, are kept)
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# format characters a text may hold: the joiners and the direction marks Persian typing
# uses (and the Arabic letter mark), the word joiner, and the tags of flag emoji
TEXT_FORMAT_CHARS = frozenset("\u200c\u200d\u200e\u200f\u061c\u2060") | frozenset(map(chr, range(0xE0020, 0xE0080)))


def is_text_char(char):
    """A character a person types: not a control, an explicit direction override or
    isolate, an invisible format character (BOM, soft hyphen, zero-width space), a line or
    paragraph separator, a surrogate or a noncharacter. Private-use characters (a logo a
    keyboard types) and code points this Python does not know yet (new emoji) are text."""
    if char in "\r\n\t" or char in TEXT_FORMAT_CHARS:
        return True
    if char in BIDI_CONTROLS:
        return False
    category = unicodedata.category(char)
    if category == "Cn":
        code = ord(char)
        return not ((code & 0xFFFE) == 0xFFFE or 0xFDD0 <= code <= 0xFDEF)
    return category not in ("Cc", "Cf", "Cs", "Zl", "Zp")


# numeric character references (&#8238; &#x202E;), which the HTML sanitizer turns into
# the characters they name
CHARACTER_REFERENCE = re.compile(r"&#(?:[xX]([0-9a-fA-F]{1,8})|([0-9]{1,10}));?")


def _referenced(match):
    """The character a numeric reference names, or U+FFFD when it names none."""
    code = int(match[1], 16) if match[1] else int(match[2])
    return chr(code) if 0 < code <= 0x10FFFF else "\ufffd"


def _is_typed(char, html=False):
    """``is_text_char``; in HTML only controls and direction overrides are not text (the
    editor leaves invisible marks)."""
    if html:
        return char not in BIDI_CONTROLS and (char in "\r\n\t" or unicodedata.category(char) != "Cc")
    return is_text_char(char)


def _html_chars(value):
    """The characters of HTML ``value`` as it will be stored: its numeric references decoded."""
    return CHARACTER_REFERENCE.sub(_referenced, value)


def _texts(model, vals):
    """(name, value, is html) of the texts in ``vals``."""
    for name, value in vals.items():
        field = model._fields.get(name)
        if field and field.type in ("char", "text", "html") and isinstance(value, str):
            yield name, value, field.type == "html"


def refuse_non_text(model, vals, creating=False):
    """Refuse a client's text (form, import, RPC) holding characters nobody types: NUL,
    which PostgreSQL refuses with a server error, other controls and direction overrides,
    which disguise what a text says (the portal refuses them too); when ``creating``, the
    defaults a client's context gives (``default_*``) too."""
    if creating:
        context = model.env.context
        vals = {**{key[8:]: value for key, value in context.items() if key.startswith("default_")}, **vals}
    for name, value, html in _texts(model, vals):
        if not all(_is_typed(char, html) for char in (_html_chars(value) if html else value)):
            raise UserError(
                model.env._(
                    "%s contains characters that are not text.", model._fields[name]._description_string(model.env)
                )
            )


def text_values(model, vals):
    """``vals`` with the characters ``refuse_non_text`` refuses dropped from its texts
    (and from the references of its HTML): what an intake (the mail gateway, a helpdesk
    ticket) writes, which nothing may refuse."""
    cleaned = dict(vals)
    for name, value, html in _texts(model, vals):
        text = value
        if html:
            text = CHARACTER_REFERENCE.sub(
                lambda match: match[0] if _is_typed(_referenced(match), html=True) else "", value
            )
        cleaned[name] = "".join(char for char in text if _is_typed(char, html))
    return cleaned
