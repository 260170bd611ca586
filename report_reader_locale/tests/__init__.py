from . import test_reader_locale
