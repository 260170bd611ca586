# Helpers that are not models (as odoo/addons/mail/tools/): reading raw messages the
# parser cannot take (raw_message), and reading delivery reports from their text
# (delivery_report).
from . import delivery_report, raw_message
