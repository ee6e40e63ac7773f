from . import (
    test_access_matrix,
    test_billing,
    test_chinese,
    test_concurrency,
    test_findings,
    test_lifecycle,
    test_portal_access,
    test_rpc_access,
    test_scan,
    test_tour,
    test_transfers,
    test_vendor_claim,
)
