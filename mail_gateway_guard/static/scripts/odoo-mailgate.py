#!/usr/bin/env python3
"""Odoo's mailgate script for Python 3: read an e-mail on stdin and give it to Odoo's mail
gateway over XML-RPC. Configure a pipe alias in the mail server, as for Odoo's own script
(odoo/addons/mail/static/scripts/odoo-mailgate.py, which is Python 2 and does not run on
current systems); Postfix, in /etc/aliases:

    complaints: "|/path/to/odoo-mailgate.py -d mydb -u 2 -p secret --host odoo.internal"

Same options as Odoo's script. Two differences:
- the message is read as bytes and sent as they are (mail in 8-bit charsets arrives intact);
- a failure exits with 75 (EX_TEMPFAIL): the mail server keeps the message in its queue
  and tries again later instead of bouncing it, so that an Odoo being restarted loses
  nothing. But for a recipient that is no alias of Odoo's (a typo in the address): trying
  again will not help, the script exits with 67 (EX_NOUSER) and the mail server returns the
  message to its sender at once.
"""

import optparse
import sys
import traceback
import xmlrpc.client

EX_NOUSER = 67
EX_TEMPFAIL = 75
# what Odoo's gateway raises for a message to an address that is no alias
NO_ROUTE = "ValueError: No possible route found for incoming message"


def main():
    op = optparse.OptionParser(usage="usage: %prog [options]", version="%prog v1.2")
    op.add_option("-d", "--database", dest="database", help="Odoo database name (default: %default)", default="odoo")
    op.add_option(
        "-u", "--userid", dest="userid", help="Odoo user id to connect with (default: %default)", default=1, type=int
    )
    op.add_option("-p", "--password", dest="password", help="Odoo user password (default: %default)", default="admin")
    op.add_option("--host", dest="host", help="Odoo host (default: %default)", default="localhost")
    op.add_option("--port", dest="port", help="Odoo port (default: %default)", default=8069, type=int)
    (o, _args) = op.parse_args()

    try:
        msg = sys.stdin.buffer.read()
        models = xmlrpc.client.ServerProxy(f"http://{o.host}:{o.port}/xmlrpc/2/object", allow_none=True)
        models.execute_kw(
            o.database, o.userid, o.password, "mail.thread", "message_process", [False, xmlrpc.client.Binary(msg)], {}
        )
    except xmlrpc.client.Fault as e:
        sys.stderr.write(f"xmlrpc.client.Fault: {e.faultCode}\n{e.faultString}\n")
        sys.exit(EX_NOUSER if NO_ROUTE in str(e.faultString) else EX_TEMPFAIL)
    except Exception:
        traceback.print_exc(None, sys.stderr)
        sys.exit(EX_TEMPFAIL)


if __name__ == "__main__":
    main()
