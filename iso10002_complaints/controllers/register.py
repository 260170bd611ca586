from werkzeug.exceptions import NotFound

from odoo import http
from odoo.http import content_disposition, request

from ..report.iso10002_register_xlsx import XLSX_MIMETYPE


class ComplaintsRegister(http.Controller):
    @http.route("/iso10002_complaints/register/<int:download_id>", type="http", auth="user")
    def register_download(self, download_id):
        """The register a user asked for, streamed once (record rule: their own only)."""
        download = request.env["iso10002.register.download"].search([("id", "=", download_id)])
        if not download:
            raise NotFound()
        name, content = download._serve()
        return request.make_response(
            content, headers=[("Content-Type", XLSX_MIMETYPE), ("Content-Disposition", content_disposition(name))]
        )
