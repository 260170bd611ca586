from . import test_website
