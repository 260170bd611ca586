# Helpers that are not models (as odoo/addons/mail/tools/): the context sentinels and the
# client boundary (trust), what people type (text), the working-hours clock (work_clock).
