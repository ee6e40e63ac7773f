from . import (
    test_access,
    test_card_and_mail,
    test_coverage,
    test_dates,
    test_issuance,
    test_public_page,
    test_report_access,
    test_reports,
    test_service_api,
    test_tour,
)
