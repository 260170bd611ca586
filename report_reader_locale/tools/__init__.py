# Helpers that are not models (as odoo/addons/mail/tools/): how one reader reads dates,
# numbers and amounts (Reader), and what a text's script says of its language.
from .reader import (
    PERSIAN_DIGITS,
    PERSIAN_NUMBER,
    READER_KEY,
    RIAL,
    TOMAN_RIALS,
    WESTERN_DIGITS,
    Reader,
    is_persian,
    western_digits,
    written_language,
)
