from . import test_access, test_coverage, test_dates, test_issuance, test_public_page, test_reports, test_tour
