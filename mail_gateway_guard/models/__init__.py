from . import mail_gateway_guarded, mail_thread
