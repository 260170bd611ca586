# ruff: noqa: I001
from . import models
from . import wizard
