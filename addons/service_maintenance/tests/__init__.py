from . import test_advisory, test_advisory_concurrency, test_advisory_http, test_checklist, test_contract
