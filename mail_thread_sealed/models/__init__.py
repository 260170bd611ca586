# ruff: noqa: I001  (order matters: a model is defined before the models inheriting it)
from . import mail_thread
from . import mail_thread_sealed
from . import mail_message
from . import ir_attachment
from . import rating_rating
