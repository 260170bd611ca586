from . import fetchmail_server, mail_alias, mail_gateway_guarded, mail_thread
