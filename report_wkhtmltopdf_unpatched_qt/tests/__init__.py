from . import test_unpatched_qt
