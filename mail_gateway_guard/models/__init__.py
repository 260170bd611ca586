from . import fetchmail_server, mail_gateway_guarded, mail_thread
