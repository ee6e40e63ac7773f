from . import (
    test_access,
    test_escalation,
    test_hotline,
    test_kpi,
    test_lifecycle,
    test_mail_gateway,
    test_portal,
    test_public_form,
    test_rating_rma,
    test_sla,
    test_visit,
    test_visit_billing,
)
