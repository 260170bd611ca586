from . import helpdesk_ticket_complaint_wizard
