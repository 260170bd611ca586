# ruff: noqa: I001
from . import models
from . import report
from . import wizard
