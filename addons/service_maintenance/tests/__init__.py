from . import (
    test_advisory,
    test_advisory_concurrency,
    test_advisory_http,
    test_checklist,
    test_contract,
    test_contract_report,
    test_contract_scan,
    test_coverage_billing,
    test_inspection_plan,
    test_inspection_report,
    test_rpc_access,
)
