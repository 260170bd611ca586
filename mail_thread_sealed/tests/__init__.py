from . import test_mail_thread_sealed
