from . import iso10002_register_xlsx
