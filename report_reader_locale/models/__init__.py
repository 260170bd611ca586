from . import ir_actions_report, ir_qweb_fields, mail_render_mixin, res_company, res_config_settings
