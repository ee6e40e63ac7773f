from . import test_concurrency, test_lifecycle, test_scan, test_tour
