from . import (
    test_access,
    test_escalation,
    test_hotline,
    test_lifecycle,
    test_mail_gateway,
    test_portal,
    test_public_form,
    test_sla,
    test_visit,
    test_visit_billing,
)
