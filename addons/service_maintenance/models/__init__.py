from . import (
    service_advisory,
    service_advisory_notice,
    service_checklist,
    service_contract,
    service_contract_report,
    stock_lot,
)
