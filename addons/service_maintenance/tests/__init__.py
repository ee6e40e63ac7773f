from . import test_advisory, test_advisory_concurrency, test_advisory_http, test_checklist, test_contract
from . import test_inspection_plan, test_inspection_report
from . import test_contract_report, test_contract_scan
from . import test_coverage_billing
