from . import test_billing, test_concurrency, test_lifecycle, test_scan, test_tour
