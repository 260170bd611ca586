from . import (
    test_access,
    test_acknowledgement,
    test_lifecycle,
    test_mail_intake,
    test_partner,
    test_portal,
    test_public_form,
    test_reports,
    test_sealed_routes,
    test_sla,
    test_trust,
)
